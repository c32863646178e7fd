using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Tests.Engine.Gpu;

namespace MiniBioBert.Tests.Learners;

/// <summary>The walkthrough's list of backward nodes is the order a real step runs them (syntax: <see cref="BackwardOrderList"/>).</summary>
public class WalkthroughBackwardOrderTests
{
    [Test]
    public void TheListedOrderIsTheOrderBackwardRunsTheNodes()
    {
        var items = BackwardOrderList.Parse(Path.Combine(DocumentationReferences.RepositoryRoot(), "docs/walkthrough.md"));
        // The tiny model (2 layers), on the reference device the walkthrough steps through, in training mode.
        var model = new BertForPreTraining(DeviceModelTests.TinyConfig, seed: 1);
        model.MoveTo(Device.Reference);
        using var scope = new TensorScope();
        var output = model.Forward(DeviceModelTests.TinyBatch(seed: 3), new ForwardContext { Training = true, DropoutSeed = 7 });

        // Backward.Run calls the nodes from the end of the topological order to its start.
        var order = Backward.TopologicalOrder(output.Loss);
        order.Reverse();

        Assert.That(BackwardOrderList.Expand(items, model.Config.NumHiddenLayers), Is.EqualTo(order.Select(t => t.Node!.OperationName)));
        output.Loss.Backward();
        Assert.That(model.Embeddings.WordEmbeddings.Grad!.Span.ToArray(), Has.Some.Not.Zero);
    }

    [Test]
    public void ParserNumbersItemsAndRepeatsTheLayerRun()
    {
        using var directory = new MiniBioBert.Tests.Model.Checkpoints.TemporaryDirectory();
        string path = directory.File("sample.md");
        File.WriteAllLines(path,
        [
            "1. `Ignored` before the marker.",
            BackwardOrderList.StartMarker,
            "1. `Add` — text",
            "   continuation `NotAnItem`",
            "2. `Second` × layers: first of the layer run",
            "3. `Third` (output) × layers",
            "4. `Last`",
            BackwardOrderList.EndMarker,
        ]);

        var items = BackwardOrderList.Parse(path);

        Assert.That(items.Select(i => (i.OperationName, i.PerLayer)),
            Is.EqualTo(new[] { ("Add", false), ("Second", true), ("Third", true), ("Last", false) }));
        Assert.That(BackwardOrderList.Expand(items, layers: 2), Is.EqualTo(new[] { "Add", "Second", "Third", "Second", "Third", "Last" }));

        File.WriteAllLines(path, [BackwardOrderList.StartMarker, "1. `Add`", "3. `Gap`", BackwardOrderList.EndMarker]);
        Assert.That(() => BackwardOrderList.Parse(path), Throws.TypeOf<FormatException>().With.Message.Contains("item 3 where 2 was expected"));
        File.WriteAllLines(path, ["1. `Add`"]);
        Assert.That(() => BackwardOrderList.Parse(path), Throws.TypeOf<FormatException>());
    }
}
