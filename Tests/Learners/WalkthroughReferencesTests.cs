namespace MiniBioBert.Tests.Learners;

/// <summary>Every file and Type.Member that the learner documents name exists (syntax: <see cref="DocumentationReferences"/>).</summary>
public class WalkthroughReferencesTests
{
    // Minimums a little under today's counts (2026-12-07: 230 references, 37 bound, in the walkthrough; 199 and 13 in
    // the architecture), so that a parser that silently stops recognising either kind fails here.
    [TestCase("docs/walkthrough.md", 200, 30)]
    [TestCase("docs/architecture.md", 170, 10)]
    public void EveryCodeReferenceResolves(string document, int minimumReferences, int minimumBoundMembers)
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
        // Guards against a parser that silently stops recognising references, or members bound to their files.
        Assert.That(references, Has.Count.GreaterThanOrEqualTo(minimumReferences));
        Assert.That(references.Count(r => r.DeclaredIn is not null), Is.GreaterThanOrEqualTo(minimumBoundMembers));
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

    [Test]
    public void ParserBindsAMemberToTheFileNamedWithIt()
    {
        using var directory = new MiniBioBert.Tests.Model.Checkpoints.TemporaryDirectory();
        string path = directory.File("sample.md");
        File.WriteAllLines(path,
        [
            // Bound, and true: after "+", in parentheses (alone or first), to a partial class's file, to a folder.
            "`Model/Layers/BertPooler.cs` + `BertPooler.Forward`, then `TrainingStep.Run` (`Training/Optim/TrainingStep.cs`, step 1).",
            "`TensorKernels.MultiplyPerHead` (`Engine/Kernels/TensorKernels.MatMul.cs`) runs `ReferenceKernels.MultiplyPerHead` (`Engine/Reference/`).",
            "A record's positional member `PretrainingInputs.InputIds` (`Model/PretrainingInputs.cs`), a constant `BertForPreTraining.MaskedScore` (`Model/BertForPreTraining.cs`).",
            // Not bound: other words between the member and the path, or the path first without "+".
            "`Ops.CrossEntropy` (kernel: `Engine/Cpu/CrossEntropyKernels.cs`); `Engine/Cpu/Gemm.cs` and `AdamW.Step`.",
            // Bound, and false: the member exists, but elsewhere.
            "`TrainingStep.Run` (`Training/Optim/AdamW.cs`) and `TensorKernels.MultiplyPerHead` (`Engine/Kernels/TensorKernels.cs`).",
            "`Engine/Cpu/` + `ModelOptimizer.ZeroGradients`, `Tensor.Grad` (`docs/walkthrough.md`).",
        ]);
        var references = DocumentationReferences.Parse(path, "sample.md").Where(r => !r.IsPath).ToList();

        Assert.That(references.Select(r => (r.Text, r.DeclaredIn)), Is.EqualTo(new (string, string?)[]
        {
            ("BertPooler.Forward", "Model/Layers/BertPooler.cs"), ("TrainingStep.Run", "Training/Optim/TrainingStep.cs"),
            ("TensorKernels.MultiplyPerHead", "Engine/Kernels/TensorKernels.MatMul.cs"), ("ReferenceKernels.MultiplyPerHead", "Engine/Reference/"),
            ("PretrainingInputs.InputIds", "Model/PretrainingInputs.cs"), ("BertForPreTraining.MaskedScore", "Model/BertForPreTraining.cs"),
            ("Ops.CrossEntropy", null), ("AdamW.Step", null),
            ("TrainingStep.Run", "Training/Optim/AdamW.cs"), ("TensorKernels.MultiplyPerHead", "Engine/Kernels/TensorKernels.cs"),
            ("ModelOptimizer.ZeroGradients", "Engine/Cpu/"), ("Tensor.Grad", "docs/walkthrough.md"),
        }));
        string root = DocumentationReferences.RepositoryRoot();
        var types = DocumentationReferences.MiniBioBertTypes();
        Assert.That(references.Select(r => DocumentationReferences.Problem(r, root, types)), Is.EqualTo(new[]
        {
            null, null, null, null, null, null, null, null,
            "bound to `Training/Optim/AdamW.cs`, which does not declare TrainingStep.Run",
            "bound to `Engine/Kernels/TensorKernels.cs`, which does not declare TensorKernels.MultiplyPerHead",
            "bound to `Engine/Cpu/`, which does not declare ModelOptimizer.ZeroGradients",
            "bound to `docs/walkthrough.md`, which is not a C# file or a folder holding one",
        }));
    }
}
