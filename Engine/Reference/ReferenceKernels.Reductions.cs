namespace MiniBioBert.Engine.Reference;

internal static partial class ReferenceKernels
{
    /// <summary>output[0] = scale·Σ x, summed in double like the CPU kernel (a loss over many elements must not drift).</summary>
    public static void Sum(Tensor x, float scale, Tensor output)
    {
        var input = x.Span;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            total += input[i];
        }
        output.Span[0] = (float)(total * scale);
    }

    /// <summary>destination[c] += Σ_r source[r, c] over the rows of a [rows, columns] source (bias gradients).</summary>
    public static void AddColumnSums(Tensor source, Tensor destination, int columns) => AddSignedColumnSums(source, destination, columns, sign: 1f);

    /// <summary>destination[c] −= Σ_r source[r, c] (the gradient of a subtracted, broadcast operand).</summary>
    public static void SubtractColumnSums(Tensor source, Tensor destination, int columns) => AddSignedColumnSums(source, destination, columns, sign: -1f);

    /// <summary>destination[c] += sign·Σ_r source[r, c], the column summed top to bottom in float (sign ±1: exact).</summary>
    private static void AddSignedColumnSums(Tensor source, Tensor destination, int columns, float sign)
    {
        // source: [rows, columns]; destination: [columns]
        int rows = source.Size / columns;
        var values = source.Span;
        var target = destination.Span;
        for (int c = 0; c < columns; c++)
        {
            float sum = 0;
            for (int r = 0; r < rows; r++)
            {
                sum += values[r * columns + c];
            }
            target[c] += sign * sum;
        }
    }

    /// <summary>destination[c] += Σ_r a[r, c]·b[r, c] for [rows, columns] inputs.</summary>
    public static void AddColumnSumsOfProducts(Tensor a, Tensor b, Tensor destination, int columns)
    {
        // a, b: [rows, columns]; destination: [columns]
        int rows = a.Size / columns;
        var left = a.Span;
        var right = b.Span;
        var target = destination.Span;
        for (int c = 0; c < columns; c++)
        {
            float sum = 0;
            for (int r = 0; r < rows; r++)
            {
                sum += left[r * columns + c] * right[r * columns + c];
            }
            target[c] += sum;
        }
    }
}
