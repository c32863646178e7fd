using BenchmarkDotNet.Running;

namespace MiniBioBert.Benchmarks;

internal static class Program
{
    /// <summary>Runs the BenchmarkDotNet benchmarks chosen by the arguments (e.g. <c>--filter *Gemm*</c>).</summary>
    public static int Main(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
