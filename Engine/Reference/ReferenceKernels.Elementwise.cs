namespace MiniBioBert.Engine.Reference;

internal static partial class ReferenceKernels
{
    /// <summary>y = a ⊙ b (same size; written).</summary>
    public static void MultiplySameSize(Tensor a, Tensor b, Tensor y)
    {
        var left = a.Span;
        var right = b.Span;
        var output = y.Span;
        for (int i = 0; i < left.Length; i++)
        {
            output[i] = left[i] * right[i];
        }
    }

    /// <summary>
    /// y = a + scale·b, where b's elements repeat over a's leading dimensions (|b| divides |a|, b is a suffix of a's shape).
    /// </summary>
    public static void AddScaled(Tensor a, Tensor b, float scale, Tensor y)
    {
        // a, y: [rows, inner]; b: [inner], the same for every row
        int inner = b.Size;
        int rows = a.Size / inner;
        var left = a.Span;
        var right = b.Span;
        var output = y.Span;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < inner; c++)
            {
                output[r * inner + c] = left[r * inner + c] + scale * right[c];
            }
        }
    }

    /// <summary>destination += source (same size): gradient accumulation.</summary>
    public static void AddInto(Tensor destination, Tensor source)
    {
        var target = destination.Span;
        var values = source.Span;
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += values[i];
        }
    }

    /// <summary>destination += scale·source (same size).</summary>
    public static void AddScaledInto(Tensor destination, Tensor source, float scale)
    {
        var target = destination.Span;
        var values = source.Span;
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += scale * values[i];
        }
    }

    /// <summary>destination[i] += scale·scalar[0] for every i, where <paramref name="scalar"/> has one element.</summary>
    public static void AddScalarInto(Tensor destination, Tensor scalar, float scale)
    {
        float increment = scalar.Span[0] * scale;
        var target = destination.Span;
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += increment;
        }
    }

    /// <summary>y = a ⊙ b, with b repeated over a's leading dimensions.</summary>
    public static void Multiply(Tensor a, Tensor b, Tensor y)
    {
        // a, y: [rows, inner]; b: [inner]
        int inner = b.Size;
        int rows = a.Size / inner;
        var left = a.Span;
        var right = b.Span;
        var output = y.Span;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < inner; c++)
            {
                output[r * inner + c] = left[r * inner + c] * right[c];
            }
        }
    }

    /// <summary>destination += a ⊙ b, with b repeated over a's leading dimensions.</summary>
    public static void MultiplyInto(Tensor destination, Tensor a, Tensor b)
    {
        // destination, a: [rows, inner]; b: [inner]
        int inner = b.Size;
        int rows = a.Size / inner;
        var target = destination.Span;
        var left = a.Span;
        var right = b.Span;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < inner; c++)
            {
                target[r * inner + c] += left[r * inner + c] * right[c];
            }
        }
    }

    /// <summary>y = scale·x.</summary>
    public static void Scale(Tensor x, float scale, Tensor y)
    {
        var input = x.Span;
        var output = y.Span;
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = scale * input[i];
        }
    }
}
