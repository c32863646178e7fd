using System.Numerics.Tensors;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Reference;

namespace MiniBioBert.Engine.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// y = a + scale·b, where b's elements repeat over a's leading dimensions (|b| divides |a|, b is a suffix of a's shape).
    /// </summary>
    public static void AddScaled(Tensor a, Tensor b, float scale, Tensor y)
    {
        if (a.Device.IsReference)
        {
            ReferenceKernels.AddScaled(a, b, scale, y);
            return;
        }
        if (a.Device.Gpu is { } gpu)
        {
            GpuElementwise.AddScaled(gpu, a.DeviceView, b.DeviceView, scale, y.DeviceView);
            return;
        }
        ForEachRow(a, b, y, (aRow, bValues, yRow) => TensorPrimitives.MultiplyAdd(bValues, scale, aRow, yRow));
    }

    /// <summary>destination += source (same size): gradient accumulation.</summary>
    public static void AddInto(Tensor destination, Tensor source)
    {
        if (destination.Device.IsReference)
        {
            ReferenceKernels.AddInto(destination, source);
            return;
        }
        if (destination.Device.Gpu is { } gpu)
        {
            GpuElementwise.AddScaled(gpu, destination.DeviceView, source.DeviceView, 1f, destination.DeviceView);
        }
        else
        {
            var span = destination.Span;
            TensorPrimitives.Add(span, source.Span, span);
        }
    }

    /// <summary>destination += scale·source (same size).</summary>
    public static void AddScaledInto(Tensor destination, Tensor source, float scale)
    {
        if (destination.Device.IsReference)
        {
            ReferenceKernels.AddScaledInto(destination, source, scale);
            return;
        }
        if (destination.Device.Gpu is { } gpu)
        {
            GpuElementwise.AddScaled(gpu, destination.DeviceView, source.DeviceView, scale, destination.DeviceView);
        }
        else
        {
            var span = destination.Span;
            TensorPrimitives.MultiplyAdd(source.Span, scale, span, span);
        }
    }

    /// <summary>destination[i] += scale·scalar[0] for every i, where <paramref name="scalar"/> has one element.</summary>
    public static void AddScalarInto(Tensor destination, Tensor scalar, float scale)
    {
        if (destination.Device.IsReference)
        {
            ReferenceKernels.AddScalarInto(destination, scalar, scale);
            return;
        }
        if (destination.Device.Gpu is { } gpu)
        {
            // b of one element repeats over every position of a.
            GpuElementwise.AddScaled(gpu, destination.DeviceView, scalar.DeviceView, scale, destination.DeviceView);
        }
        else
        {
            var span = destination.Span;
            TensorPrimitives.Add(span, scalar.Span[0] * scale, span);
        }
    }

    /// <summary>y = a ⊙ b, with b repeated over a's leading dimensions.</summary>
    public static void Multiply(Tensor a, Tensor b, Tensor y)
    {
        if (a.Device.IsReference)
        {
            ReferenceKernels.Multiply(a, b, y);
            return;
        }
        if (a.Device.Gpu is { } gpu)
        {
            GpuElementwise.Multiply(gpu, a.DeviceView, b.DeviceView, y.DeviceView);
            return;
        }
        ForEachRow(a, b, y, (aRow, bValues, yRow) => TensorPrimitives.Multiply(aRow, bValues, yRow));
    }

    /// <summary>destination += a ⊙ b, with b repeated over a's leading dimensions.</summary>
    public static void MultiplyInto(Tensor destination, Tensor a, Tensor b)
    {
        if (destination.Device.IsReference)
        {
            ReferenceKernels.MultiplyInto(destination, a, b);
            return;
        }
        if (a.Device.Gpu is { } gpu)
        {
            GpuElementwise.Multiply(gpu, a.DeviceView, b.DeviceView, destination.DeviceView, accumulate: true);
            return;
        }
        ForEachRow(a, b, destination, (aRow, bValues, destinationRow) => TensorPrimitives.MultiplyAdd(aRow, bValues, destinationRow, destinationRow));
    }

    /// <summary>y = scale·x.</summary>
    public static void Scale(Tensor x, float scale, Tensor y)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.Scale(x, scale, y);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            GpuElementwise.Scale(gpu, x.DeviceView, scale, y.DeviceView);
        }
        else
        {
            TensorPrimitives.Multiply(x.Span, scale, y.Span);
        }
    }

    /// <summary>
    /// output[0] = scale·Σ x. The CPU sums in double; the GPU sums in float, per group then over the groups, on the
    /// device (no synchronisation).
    /// </summary>
    public static void Sum(Tensor x, float scale, Tensor output)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.Sum(x, scale, output);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            var partials = Tensor.Uninitialized(x.Device, GpuReductions.PartialSumCount(gpu, x.Size));
            GpuReductions.Sum(gpu, x.DeviceView, partials.DeviceView, output.DeviceView);
            GpuElementwise.Scale(gpu, output.DeviceView, scale, output.DeviceView);
        }
        else
        {
            output.Span[0] = (float)(ReductionKernels.Sum(x.Span) * scale);
        }
    }

    /// <summary>destination[c] += Σ_r source[r, c] over the rows of a [rows, columns] source (bias gradients).</summary>
    public static void AddColumnSums(Tensor source, Tensor destination, int columns)
    {
        if (source.Device.IsReference)
        {
            ReferenceKernels.AddColumnSums(source, destination, columns);
            return;
        }
        if (source.Device.Gpu is { } gpu)
        {
            GpuReductions.AddColumnSums(gpu, source.DeviceView, destination.DeviceView, columns);
        }
        else
        {
            ReductionKernels.AddColumnSums(source.Memory, destination.Memory, columns);
        }
    }

    /// <summary>destination[c] −= Σ_r source[r, c] (the gradient of a subtracted, broadcast operand).</summary>
    public static void SubtractColumnSums(Tensor source, Tensor destination, int columns)
    {
        if (source.Device.IsReference)
        {
            ReferenceKernels.SubtractColumnSums(source, destination, columns);
            return;
        }
        if (source.Device.Gpu is { } gpu)
        {
            GpuReductions.AddColumnSums(gpu, source.DeviceView, destination.DeviceView, columns, scale: -1f);
            return;
        }
        var sums = Tensor.Zeros(destination.ShapeArray());
        ReductionKernels.AddColumnSums(source.Memory, sums.Memory, columns);
        TensorPrimitives.Subtract(destination.Span, sums.Span, destination.Span);
    }

    /// <summary>destination[c] += Σ_r a[r, c]·b[r, c] for [rows, columns] inputs.</summary>
    public static void AddColumnSumsOfProducts(Tensor a, Tensor b, Tensor destination, int columns)
    {
        if (a.Device.IsReference)
        {
            ReferenceKernels.AddColumnSumsOfProducts(a, b, destination, columns);
            return;
        }
        if (a.Device.Gpu is { } gpu)
        {
            GpuReductions.AddColumnSumsOfProducts(gpu, a.DeviceView, b.DeviceView, destination.DeviceView, columns);
        }
        else
        {
            ReductionKernels.AddColumnSumsOfProducts(a.Memory, b.Memory, destination.Memory, columns);
        }
    }

    /// <summary>What one row of a broadcast elementwise operation does: row r of a, all of b, row r of the output.</summary>
    private delegate void RowOperation(ReadOnlySpan<float> aRow, ReadOnlySpan<float> b, Span<float> outputRow);

    /// <summary>
    /// Runs <paramref name="operation"/> on every row of a, where a row is as long as b (b repeats over a's leading
    /// dimensions), in parallel over the rows (CPU tensors).
    /// </summary>
    private static void ForEachRow(Tensor a, Tensor b, Tensor output, RowOperation operation)
    {
        int inner = b.Size;
        var aMemory = a.Memory;
        var bMemory = b.Memory;
        var outputMemory = output.Memory;
        CpuParallel.ForRows(a.Size / inner, inner, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                operation(aMemory.Span.Slice(r * inner, inner), bMemory.Span, outputMemory.Span.Slice(r * inner, inner));
            }
        });
    }
}
