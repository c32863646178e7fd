using System.Reflection;
using System.Text.RegularExpressions;

namespace MiniBioBert.Tests.Learners;

/// <summary>
/// The code references of the learner documents (docs/*.md). Outside fenced code blocks, an inline code span is a
/// reference when it is
/// <list type="bullet">
/// <item>a repository-relative path with at least one '/', e.g. <c>`Model/Layers/BertSelfAttention.cs`</c> or
/// <c>`Engine/Cpu/`</c> (a trailing '/' names a folder), or</item>
/// <item>Type.Member, both starting with a capital letter, optionally followed by "()", e.g.
/// <c>`BertSelfAttention.Forward`</c> or <c>`Backward.Run()`</c>, where Type is a MiniBioBert type's simple name
/// (a two-part namespace such as <c>`MiniBioBert.Engine`</c> has the same form and must exist as a namespace).</item>
/// </list>
/// Other spans (shapes, formulas, Hugging Face names such as <c>`bert.encoder.layer.0`</c>) are plain text.
/// <para>
/// A Type.Member is <b>bound to a file</b> when the text itself says where it is declared, in one of two forms on one
/// line (only whitespace may stand where none is shown):
/// <list type="number">
/// <item>the path, a plus sign, the member: <c>`Model/Layers/BertEmbeddings.cs` + `BertEmbeddings.Forward`</c>;</item>
/// <item>the member, then an opening parenthesis directly followed by the path:
/// <c>`TrainingStep.Run` (`Training/Optim/TrainingStep.cs`)</c> or <c>`TrainingStep.Run` (`Training/Optim/TrainingStep.cs`, step 1)</c>.</item>
/// </list>
/// Then the member must be declared in that file (or, for a folder path, in a .cs file below it), not just somewhere:
/// the file must declare the type (<c>class|struct|record|interface|enum Type</c>, partial declarations included) and
/// the member (<see cref="DeclaresMember"/>). A path and a member merely on the same line, or with other words between
/// them (<c>`Ops.CrossEntropy` (kernel: `Engine/Cpu/…`)</c>), are not bound.
/// </para>
/// </summary>
internal static partial class DocumentationReferences
{
    /// <summary>One reference; <paramref name="DeclaredIn"/> is the path a Type.Member is bound to, if any.</summary>
    public sealed record Reference(string Document, int Line, string Text, bool IsPath, string? DeclaredIn = null);

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^[\w.\-]+(/[\w.\-]+)*/[\w.\-]*$")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"^([A-Z]\w*)\.([A-Z]\w*)(\(\))?$")]
    private static partial Regex TypeMember();

    /// <summary>The folder that holds MiniBioBert.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MiniBioBert.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No MiniBioBert.sln above {TestContext.CurrentContext.TestDirectory}.");
    }

    /// <summary>Every reference of one markdown file, with its 1-based line number.</summary>
    public static List<Reference> Parse(string path, string documentName)
    {
        var references = new List<Reference>();
        bool inFence = false;
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }
            if (inFence)
            {
                continue;
            }
            var spans = CodeSpan().Matches(line);
            for (int i = 0; i < spans.Count; i++)
            {
                string text = spans[i].Groups[1].Value;
                if (IsPath(text))
                {
                    references.Add(new Reference(documentName, lineNumber, text, IsPath: true));
                }
                else if (TypeMember().IsMatch(text))
                {
                    references.Add(new Reference(documentName, lineNumber, text, IsPath: false, BoundPath(line, spans, i)));
                }
            }
        }
        return references;
    }

    private static bool IsPath(string text) => RepositoryPath().IsMatch(text) && !text.StartsWith('.');

    [GeneratedRegex(@"^\s*\+\s*$")]
    private static partial Regex PlusBetween();

    [GeneratedRegex(@"^\s*\($")]
    private static partial Regex OpeningParenthesisBetween();

    /// <summary>The path span <paramref name="member"/> is bound to (the two forms of the class summary), or null.</summary>
    private static string? BoundPath(string line, MatchCollection spans, int member)
    {
        if (member > 0 && IsPath(spans[member - 1].Groups[1].Value) && PlusBetween().IsMatch(Between(line, spans[member - 1], spans[member])))
        {
            return spans[member - 1].Groups[1].Value;
        }
        if (member + 1 < spans.Count && IsPath(spans[member + 1].Groups[1].Value)
            && OpeningParenthesisBetween().IsMatch(Between(line, spans[member], spans[member + 1])))
        {
            return spans[member + 1].Groups[1].Value;
        }
        return null;
    }

    private static string Between(string line, Match first, Match second) =>
        line[(first.Index + first.Length)..second.Index];

    /// <summary>Null when the reference resolves; otherwise why not.</summary>
    public static string? Problem(Reference reference, string repositoryRoot, IReadOnlyList<Type> types)
    {
        if (reference.IsPath)
        {
            string full = Path.Combine(repositoryRoot, reference.Text);
            bool exists = reference.Text.EndsWith('/') ? Directory.Exists(full) : File.Exists(full);
            return exists ? null : "no such file or folder in the repository";
        }
        if (types.Any(t => t.Namespace == reference.Text))
        {
            return null;
        }
        var match = TypeMember().Match(reference.Text);
        string typeName = match.Groups[1].Value, memberName = match.Groups[2].Value;
        var candidates = types.Where(t => t.Name == typeName).ToList();
        if (candidates.Count == 0)
        {
            return $"no MiniBioBert type named {typeName}";
        }
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        if (!candidates.Any(t => t.GetMember(memberName, all).Length > 0))
        {
            return $"{typeName} has no member {memberName}";
        }
        return reference.DeclaredIn is { } path ? DeclarationProblem(typeName, memberName, path, repositoryRoot) : null;
    }

    /// <summary>Null when <paramref name="path"/> (a .cs file, or a folder with .cs files below it) declares Type.Member.</summary>
    private static string? DeclarationProblem(string typeName, string memberName, string path, string repositoryRoot)
    {
        string full = Path.Combine(repositoryRoot, path);
        string[] files = path.EndsWith('/')
            ? Directory.Exists(full) ? Directory.GetFiles(full, "*.cs", SearchOption.AllDirectories) : []
            : File.Exists(full) && path.EndsWith(".cs", StringComparison.Ordinal) ? [full] : [];
        if (files.Length == 0)
        {
            return $"bound to `{path}`, which is not a C# file or a folder holding one";
        }
        return files.Any(file => DeclaresMember(File.ReadAllText(file), typeName, memberName))
            ? null
            : $"bound to `{path}`, which does not declare {typeName}.{memberName}";
    }

    private const string Modifiers =
        "public|internal|private|protected|static|readonly|const|sealed|override|virtual|abstract|async|partial|unsafe|new|required|extern|volatile|implicit|explicit";

    /// <summary>
    /// Whether C# source <paramref name="source"/> declares type <paramref name="typeName"/> and, in it or in the same
    /// file, member <paramref name="memberName"/>: a line that starts with modifiers (after attributes) and has the name
    /// before "(", "&lt;", "{", "=>", "=" or ";" with no "=" or ";" before it (a method, property, field or constant);
    /// a positional parameter of a record of that name; or an enum member.
    /// </summary>
    public static bool DeclaresMember(string source, string typeName, string memberName)
    {
        string type = Regex.Escape(typeName), member = Regex.Escape(memberName);
        if (!Regex.IsMatch(source, $@"\b(?:class|struct|record|interface|enum)\s+{type}\b"))
        {
            return false;
        }
        string declaration = $@"^[ \t]*(?:\[[^\]\n]*\][ \t]*)*(?:(?:{Modifiers})[ \t]+)+[^\n;=]*?\b{member}[ \t]*(?:<[^\n>]*>)?[ \t]*(?:\(|\{{|=>|=|;|$)";
        if (Regex.IsMatch(source, declaration, RegexOptions.Multiline))
        {
            return true;
        }
        var positional = Regex.Match(source, $@"\brecord(?:\s+struct|\s+class)?\s+{type}\s*\(([^{{;]*)");
        if (positional.Success && Regex.IsMatch(positional.Groups[1].Value, $@"[\w>\]?]\s+{member}\s*[,)=]"))
        {
            return true;
        }
        var enumBody = Regex.Match(source, $@"\benum\s+{type}\b[^{{]*\{{([^}}]*)\}}");
        return enumBody.Success && Regex.IsMatch(enumBody.Groups[1].Value, $@"\b{member}\b");
    }

    /// <summary>Every type (nested ones included) of the MiniBioBert assemblies.</summary>
    public static IReadOnlyList<Type> MiniBioBertTypes() =>
    [
        .. new[]
        {
            typeof(MiniBioBert.Engine.Tensor).Assembly,
            typeof(MiniBioBert.Model.BertForPreTraining).Assembly,
            typeof(MiniBioBert.Training.Optim.AdamW).Assembly,
            typeof(DocumentationReferences).Assembly,
        }.SelectMany(assembly => assembly.GetTypes()),
    ];
}
