using System.Runtime.InteropServices;

namespace MiniBioBert.Benchmarks;

/// <summary>
/// OpenBLAS's <c>cblas_sgemm</c>, loaded at run time so that the benchmarks still build and run where it is missing
/// (then <see cref="Available"/> is false and <see cref="Status"/> says what was tried).
/// </summary>
public static unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    // Debian's libopenblas0-pthread; libblas.so.3 is the BLAS alternative, which may point to OpenBLAS too.
    private static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so",
        "libblas.so.3",
    ];

    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm;
    private static readonly delegate* unmanaged<int, void> SetNumThreads;

    static OpenBlas()
    {
        foreach (string candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out nint library)
                && NativeLibrary.TryGetExport(library, "cblas_sgemm", out nint sgemm)
                && NativeLibrary.TryGetExport(library, "openblas_set_num_threads", out nint setThreads))
            {
                Sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
                SetNumThreads = (delegate* unmanaged<int, void>)setThreads;
                Status = $"OpenBLAS loaded from {candidate}";
                return;
            }
        }
        Status = "OpenBLAS MISSING: no library with cblas_sgemm and openblas_set_num_threads among "
            + string.Join(", ", Candidates) + " (install libopenblas0-pthread); OpenBLAS benchmarks will fail.";
    }

    /// <summary>True when cblas_sgemm was found.</summary>
    public static bool Available => Sgemm != null;

    /// <summary>Where OpenBLAS was loaded from, or what was tried when it was not found.</summary>
    public static string Status { get; }

    /// <summary>Sets OpenBLAS's thread count; prints <see cref="Status"/> so that the benchmark log shows it.</summary>
    public static void Initialize(int threads)
    {
        Console.WriteLine($"// {Status}");
        if (Available)
        {
            SetNumThreads(threads);
        }
    }

    /// <summary>Row-major <c>cblas_sgemm</c> with the argument order of <c>Gemm.Multiply</c>.</summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (!Available)
        {
            throw new InvalidOperationException(Status);
        }
        Sgemm(RowMajor, transposeA ? Trans : NoTrans, transposeB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
