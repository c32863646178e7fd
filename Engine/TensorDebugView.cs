using System.Diagnostics;
using System.Globalization;

namespace MiniBioBert.Engine;

/// <summary>
/// What the debugger shows when a tensor is expanded: its shape and its last two dimensions as rows of numbers
/// (for a [B, H, T, T] attention tensor: the first head's T×T matrix), so a learner sees values, not a raw array.
/// </summary>
internal sealed class TensorDebugView(Tensor tensor)
{
    private const int MaxRows = 16;
    private const int MaxColumns = 12;

    public string Shape => Tensor.FormatShape(tensor.Shape);

    public string Device => tensor.Device.Name;

    public Tensor? Grad => tensor.Grad;

    public string? CreatedBy => tensor.Node?.OperationName;

    [DebuggerBrowsable(DebuggerBrowsableState.RootHidden)]
    public string[] Rows
    {
        get
        {
            if (tensor.Data.Length == 0)
            {
                return ["(released)"];
            }
            int columns = tensor.Rank == 0 ? 1 : tensor.Dim(-1);
            int rows = tensor.Rank < 2 ? 1 : tensor.Dim(-2);
            var lines = new string[Math.Min(rows, MaxRows)];
            for (int r = 0; r < lines.Length; r++)
            {
                var values = new string[Math.Min(columns, MaxColumns)];
                for (int c = 0; c < values.Length; c++)
                {
                    values[c] = tensor.Data[tensor.Offset + r * columns + c].ToString("F4", CultureInfo.InvariantCulture);
                }
                lines[r] = $"[{r}] " + string.Join("  ", values) + (columns > MaxColumns ? "  …" : "");
            }
            return lines;
        }
    }
}
