using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MiniBioBert.Engine;

/// <summary>
/// What the debugger shows when a tensor is expanded: its shape, where it came from, a summary of its values and
/// a 2-D slice as rows of numbers. For rank ≥ 3 the slice is the last two dimensions at index 0 of every leading
/// dimension (for attention probabilities [B, heads, T, T]: sequence 0, head 0, a T×T matrix);
/// <see cref="Slices"/> lists the other leading indices, each expandable to its own rows.
/// A GPU tensor's values are downloaded for the view (which waits for its device's queued kernels).
/// </summary>
internal sealed class TensorDebugView(Tensor tensor)
{
    /// <summary>At most this many rows and columns of a slice are shown.</summary>
    public const int MaxRows = 16;

    /// <inheritdoc cref="MaxRows"/>
    public const int MaxColumns = 12;

    /// <summary>At most this many entries are listed in <see cref="Slices"/>.</summary>
    public const int MaxSlices = 64;

    /// <summary>The text shown for a tensor whose pooled array went back to the pool.</summary>
    public const string Released = "(released)";

    public string Shape => Tensor.FormatShape(tensor.Shape);

    public string Device => tensor.Device.Name;

    public string? Name => tensor.Name;

    public bool RequiresGrad => tensor.RequiresGrad;

    public Tensor? Grad => tensor.Grad;

    /// <summary>The operation that produced the tensor (null for inputs and parameters).</summary>
    public string? CreatedBy => tensor.Node?.OperationName;

    /// <summary>The operation's inputs: expand one to walk the autograd graph backwards.</summary>
    public Tensor[]? Inputs => tensor.Node?.Inputs;

    /// <summary>Minimum, maximum, mean and the number of non-finite values, over all elements.</summary>
    public string Summary => IsReleased(tensor) ? Released : Summarize(HostValues(tensor));

    /// <summary>Which slice <see cref="Rows"/> shows, e.g. "[0, 0, :, :]".</summary>
    public string RowsOf => SliceLabel(tensor.Rank, new int[Math.Max(0, tensor.Rank - 2)], withColons: true);

    /// <summary>The first slice of the last two dimensions, one line per row: "[r] v0 v1 …".</summary>
    public string[] Rows => FormatRows(tensor, leadingIndex: 0);

    /// <summary>Every slice over the leading dimensions (rank ≥ 3), labelled "[b, h]"; capped at <see cref="MaxSlices"/>.</summary>
    public TensorSliceView[] Slices
    {
        get
        {
            if (tensor.Rank < 3 || IsReleased(tensor))
            {
                return [];
            }
            int leadingRank = tensor.Rank - 2;
            int count = tensor.Size == 0 ? 0 : tensor.Size / (tensor.Dim(-1) * tensor.Dim(-2));
            var slices = new TensorSliceView[Math.Min(count, MaxSlices)];
            var index = new int[leadingRank];
            for (int s = 0; s < slices.Length; s++)
            {
                slices[s] = new TensorSliceView(SliceLabel(tensor.Rank, index, withColons: false), FormatRows(tensor, s));
                Increment(index, tensor.Shape[..leadingRank]);
            }
            return slices;
        }
    }

    /// <summary>The rows of slice number <paramref name="leadingIndex"/> (flat index over the leading dimensions).</summary>
    internal static string[] FormatRows(Tensor tensor, int leadingIndex)
    {
        if (IsReleased(tensor))
        {
            return [Released];
        }
        int columns = tensor.Rank == 0 ? 1 : tensor.Dim(-1);
        int rows = tensor.Rank < 2 ? 1 : tensor.Dim(-2);
        var values = HostValues(tensor);
        int start = leadingIndex * rows * columns;
        int shownRows = Math.Min(rows, MaxRows);
        int shownColumns = Math.Min(columns, MaxColumns);
        int labelWidth = (rows - 1).ToString(CultureInfo.InvariantCulture).Length + 2;
        var lines = new List<string>(shownRows + 1);
        for (int r = 0; r < shownRows; r++)
        {
            var line = new StringBuilder($"[{r}]".PadRight(labelWidth));
            for (int c = 0; c < shownColumns; c++)
            {
                line.Append(' ').Append(FormatValue(values[start + r * columns + c]));
            }
            if (columns > shownColumns)
            {
                line.Append($"  … {columns - shownColumns} more");
            }
            lines.Add(line.ToString());
        }
        if (rows > shownRows)
        {
            lines.Add($"… {rows - shownRows} more rows");
        }
        return [.. lines];
    }

    /// <summary>A value in at most 10 characters, right-aligned so that columns line up in a monospaced font.</summary>
    internal static string FormatValue(float value) => value.ToString("G4", CultureInfo.InvariantCulture).PadLeft(10);

    private static bool IsReleased(Tensor tensor) => tensor.IsReleased;

    /// <summary>The elements in host memory: the tensor's own span on the CPU, a downloaded copy from a GPU.</summary>
    private static ReadOnlySpan<float> HostValues(Tensor tensor) => tensor.Device.IsHost ? tensor.Span : tensor.ToArray();

    private static string Summarize(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        double sum = 0;
        int finite = 0;
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                continue;
            }
            min = Math.Min(min, value);
            max = Math.Max(max, value);
            sum += value;
            finite++;
        }
        int nonFinite = values.Length - finite;
        string text = finite == 0
            ? "no finite values"
            : string.Create(CultureInfo.InvariantCulture, $"min {min:G4}, max {max:G4}, mean {sum / finite:G4}");
        return nonFinite == 0 ? text : $"{text}, {nonFinite} non-finite";
    }

    /// <summary>"[0, 1]" or, with colons, "[0, 1, :, :]"; a rank-1 or rank-2 tensor is "[:]" or "[:, :]".</summary>
    private static string SliceLabel(int rank, int[] leadingIndex, bool withColons)
    {
        var parts = leadingIndex.Select(i => i.ToString(CultureInfo.InvariantCulture));
        if (withColons)
        {
            parts = parts.Concat(Enumerable.Repeat(":", Math.Min(rank, 2)));
        }
        return $"[{string.Join(", ", parts)}]";
    }

    /// <summary>Advances a multi-dimensional index in row-major order.</summary>
    private static void Increment(int[] index, ReadOnlySpan<int> shape)
    {
        for (int d = index.Length - 1; d >= 0; d--)
        {
            if (++index[d] < shape[d])
            {
                return;
            }
            index[d] = 0;
        }
    }
}

/// <summary>One 2-D slice of a tensor in the debugger: its leading index as the label, its rows when expanded.</summary>
[DebuggerDisplay("{Index,nq}")]
internal sealed class TensorSliceView(string index, string[] rows)
{
    /// <summary>The leading index, e.g. "[0, 3]" for sequence 0, head 3.</summary>
    public string Index { get; } = index;

    [DebuggerBrowsable(DebuggerBrowsableState.RootHidden)]
    public string[] Rows { get; } = rows;
}
