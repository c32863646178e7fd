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
/// </summary>
internal static partial class DocumentationReferences
{
    public sealed record Reference(string Document, int Line, string Text, bool IsPath);

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
            foreach (Match match in CodeSpan().Matches(line))
            {
                string text = match.Groups[1].Value;
                if (RepositoryPath().IsMatch(text) && !text.StartsWith('.'))
                {
                    references.Add(new Reference(documentName, lineNumber, text, IsPath: true));
                }
                else if (TypeMember().IsMatch(text))
                {
                    references.Add(new Reference(documentName, lineNumber, text, IsPath: false));
                }
            }
        }
        return references;
    }

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
        return candidates.Any(t => t.GetMember(memberName, all).Length > 0) ? null : $"{typeName} has no member {memberName}";
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
