using System.Runtime.InteropServices;

namespace MiniBioBert.Benchmarks;

/// <summary>Random, 64-byte-aligned native operands A, B and C for one <see cref="GemmShape"/> (all batches).</summary>
public sealed unsafe class MatrixOperands : IDisposable
{
    public MatrixOperands(GemmShape shape)
    {
        Shape = shape;
        A = Allocate((long)shape.M * shape.K * shape.Batch, seed: 1);
        B = Allocate((long)shape.K * shape.N * shape.Batch, seed: 2);
        C = Allocate((long)shape.M * shape.N * shape.Batch, seed: 3);
    }

    public GemmShape Shape { get; }
    public float* A { get; }
    public float* B { get; }
    public float* C { get; }

    public void Dispose()
    {
        NativeMemory.AlignedFree(A);
        NativeMemory.AlignedFree(B);
        NativeMemory.AlignedFree(C);
    }

    private static float* Allocate(long count, int seed)
    {
        var values = (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);
        var random = new Random(seed);
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return values;
    }
}
