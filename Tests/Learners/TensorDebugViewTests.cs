using MiniBioBert.Engine;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Tests.Learners;

public class TensorDebugViewTests
{
    [Test]
    public void MatrixRowsShowEveryValueOfEachRow()
    {
        var view = new TensorDebugView(Tensor.FromValues([1, 2, 3, 4.5f, -5, 6], 2, 3));

        Assert.That(view.Shape, Is.EqualTo("[2, 3]"));
        Assert.That(view.RowsOf, Is.EqualTo("[:, :]"));
        Assert.That(view.Rows, Has.Length.EqualTo(2));
        Assert.That(Numbers(view.Rows[0]), Is.EqualTo(new[] { "[0]", "1", "2", "3" }));
        Assert.That(Numbers(view.Rows[1]), Is.EqualTo(new[] { "[1]", "4.5", "-5", "6" }));
        Assert.That(view.Summary, Is.EqualTo("min -5, max 6, mean 1.917"));
        Assert.That(view.Slices, Is.Empty);
    }

    [Test]
    public void Rank4ShowsTheFirstSliceAndListsTheOthers()
    {
        // [B=2, heads=3, T=2, T=2]: element (b, h, i, j) = 1000b + 100h + 10i + j
        var values = new float[2 * 3 * 2 * 2];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = 1000 * (i / 12) + 100 * (i / 4 % 3) + 10 * (i / 2 % 2) + i % 2;
        }
        var view = new TensorDebugView(Tensor.FromArray(values, 2, 3, 2, 2));

        Assert.That(view.RowsOf, Is.EqualTo("[0, 0, :, :]"));
        Assert.That(Numbers(view.Rows[1]), Is.EqualTo(new[] { "[1]", "10", "11" }));
        Assert.That(view.Slices.Select(s => s.Index), Is.EqualTo(new[] { "[0, 0]", "[0, 1]", "[0, 2]", "[1, 0]", "[1, 1]", "[1, 2]" }));
        var lastSlice = view.Slices[^1];
        Assert.That(Numbers(lastSlice.Rows[0]), Is.EqualTo(new[] { "[0]", "1200", "1201" }));
        Assert.That(Numbers(lastSlice.Rows[1]), Is.EqualTo(new[] { "[1]", "1210", "1211" }));
    }

    [Test]
    public void LargeSlicesAreCappedWithACount()
    {
        var view = new TensorDebugView(Tensor.Zeros(20, 30));

        Assert.That(view.Rows, Has.Length.EqualTo(TensorDebugView.MaxRows + 1));
        Assert.That(view.Rows[0], Does.EndWith($"… {30 - TensorDebugView.MaxColumns} more"));
        Assert.That(view.Rows[^1], Is.EqualTo($"… {20 - TensorDebugView.MaxRows} more rows"));
        Assert.That(new TensorDebugView(Tensor.Zeros(100, 1, 1)).Slices, Has.Length.EqualTo(TensorDebugView.MaxSlices));
    }

    [Test]
    public void ReleasedTensorSaysSoInsteadOfReadingTheEmptyArray()
    {
        Tensor pooled;
        using (new TensorScope())
        {
            pooled = Tensor.Zeros(2, 3, 4);
        }
        var view = new TensorDebugView(pooled);

        Assert.That(view.Rows, Is.EqualTo(new[] { TensorDebugView.Released }));
        Assert.That(view.Summary, Is.EqualTo(TensorDebugView.Released));
        Assert.That(view.Slices, Is.Empty);
        Assert.That(pooled.ToString(), Does.EndWith("(released)"));
    }

    [Test]
    public void NonFiniteValuesAreCountedInTheSummary()
    {
        var view = new TensorDebugView(Tensor.FromValues([1, float.NaN, float.PositiveInfinity, 3], 4));

        Assert.That(view.Summary, Is.EqualTo("min 1, max 3, mean 2, 2 non-finite"));
        Assert.That(Numbers(view.Rows[0]), Is.EqualTo(new[] { "[0]", "1", "NaN", "Infinity", "3" }));
    }

    [Test]
    public void ComputedTensorNamesItsOperationAndInputs()
    {
        var a = Tensor.FromValues([1, 2], 2);
        a.RequiresGrad = true;
        var view = new TensorDebugView(Ops.Scale(a, 2));

        Assert.That(view.CreatedBy, Is.EqualTo("Scale"));
        Assert.That(view.Inputs, Is.EqualTo(new[] { a }));
    }

    private static string[] Numbers(string row) => row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
