namespace MiniBioBert.Tests.Learners;

/// <summary>Every file and Type.Member that the learner documents name exists (syntax: <see cref="DocumentationReferences"/>).</summary>
public class WalkthroughReferencesTests
{
    [TestCase("docs/walkthrough.md", 60)]
    [TestCase("docs/architecture.md", 30)]
    public void EveryCodeReferenceResolves(string document, int minimumReferences)
    {
        string root = DocumentationReferences.RepositoryRoot();
        var references = DocumentationReferences.Parse(Path.Combine(root, document), document);
        var types = DocumentationReferences.MiniBioBertTypes();

        var problems = references
            .Select(r => (Reference: r, Problem: DocumentationReferences.Problem(r, root, types)))
            .Where(p => p.Problem is not null)
            .Select(p => $"{p.Reference.Document}:{p.Reference.Line}: `{p.Reference.Text}`: {p.Problem}")
            .ToList();

        Assert.That(problems, Is.Empty);
        // Guards against a parser that silently stops recognising references.
        Assert.That(references, Has.Count.GreaterThanOrEqualTo(minimumReferences));
    }

    [Test]
    public void ParserRecognisesBothKindsAndSkipsFencedCode()
    {
        using var directory = new MiniBioBert.Tests.Model.Checkpoints.TemporaryDirectory();
        string path = directory.File("sample.md");
        File.WriteAllLines(path,
        [
            "Break in `Model/Layers/BertSelfAttention.cs` + `BertSelfAttention.Forward` on `[B, T, H]`.",
            "Folder `Engine/Cpu/`, call `Backward.Run()`, name `bert.encoder.layer.0`, outside `../shared/data`, in `MiniBioBert.Engine`.",
            "```csharp",
            "`Not/Checked.cs` `Not.Checked`",
            "```",
            "Broken: `Model/Missing.cs` and `Tensor.NoSuchMember` and `NoSuchType.Run`.",
        ]);
        var references = DocumentationReferences.Parse(path, "sample.md");

        Assert.That(references.Select(r => r.Text), Is.EqualTo(new[]
        {
            "Model/Layers/BertSelfAttention.cs", "BertSelfAttention.Forward", "Engine/Cpu/", "Backward.Run()", "MiniBioBert.Engine",
            "Model/Missing.cs", "Tensor.NoSuchMember", "NoSuchType.Run",
        }));
        string root = DocumentationReferences.RepositoryRoot();
        var types = DocumentationReferences.MiniBioBertTypes();
        Assert.That(references.Select(r => DocumentationReferences.Problem(r, root, types) is null),
            Is.EqualTo(new[] { true, true, true, true, true, false, false, false }));
    }
}
