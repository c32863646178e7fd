using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// Whole-buffer operations on a flat float buffer, split into fixed chunks that run in parallel.
/// Chunk boundaries depend only on the buffer length, so results do not depend on thread scheduling.
/// </summary>
internal static class FlatBuffer
{
    /// <summary>Floats per parallel work item (128 KiB): big enough to amortise scheduling, small enough to balance.</summary>
    public const int ChunkLength = 1 << 15;

    /// <summary>Σ xᵢ², accumulated in double: per chunk in 8 double lanes, then chunk sums in chunk order.</summary>
    public static double SumOfSquares(float[] buffer)
    {
        int chunkCount = (buffer.Length + ChunkLength - 1) / ChunkLength;
        if (chunkCount <= 1)
        {
            return SumOfSquares(buffer.AsSpan());
        }

        double[] partials = ArrayPool<double>.Shared.Rent(chunkCount);
        try
        {
            Parallel.For(0, chunkCount, chunk => partials[chunk] = SumOfSquares(Chunk(buffer, chunk)));
            double sum = 0;
            for (int chunk = 0; chunk < chunkCount; chunk++)
            {
                sum += partials[chunk];
            }
            return sum;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(partials);
        }
    }

    /// <summary>xᵢ ← factor · xᵢ for every element.</summary>
    public static void Scale(float[] buffer, float factor)
    {
        int chunkCount = (buffer.Length + ChunkLength - 1) / ChunkLength;
        if (chunkCount <= 1)
        {
            Scale(buffer.AsSpan(), factor);
            return;
        }
        Parallel.For(0, chunkCount, chunk => Scale(Chunk(buffer, chunk), factor));
    }

    private static Span<float> Chunk(float[] buffer, int chunk)
    {
        int start = chunk * ChunkLength;
        return buffer.AsSpan(start, Math.Min(ChunkLength, buffer.Length - start));
    }

    private static void Scale(Span<float> values, float factor) =>
        System.Numerics.Tensors.TensorPrimitives.Multiply(values, factor, values);

    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        var low = Vector256<double>.Zero;
        var high = Vector256<double>.Zero;
        int i = 0;
        for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            // 8 floats widen exactly to 2 × 4 doubles; squares and sums stay in double.
            var (lowHalf, highHalf) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
            low += lowHalf * lowHalf;
            high += highHalf * highHalf;
        }
        double sum = Vector256.Sum(low + high);
        for (; i < values.Length; i++)
        {
            double x = Unsafe.Add(ref start, i);
            sum += x * x;
        }
        return sum;
    }
}
