using BenchmarkDotNet.Running;

namespace MiniBioBert.Benchmarks;

internal static class Program
{
    /// <summary>
    /// <c>train-step …</c>, <c>inference …</c> and <c>onnx-inference …</c> print one JSON line of measurements;
    /// <c>device-check --device NAME</c> compares every kernel and three training steps on a device with the CPU
    /// (exit code 0 when all agree, 1 otherwise, 2 for a usage error); <c>allreduce</c>, under mpirun, times the gradient
    /// all-reduce of data-parallel training; <c>gpu-gemm --device NAME</c> times our GPU GEMM and cuBLAS on the model's
    /// products; <c>kernels</c> prints the roofline of a CPU training step's kernels; anything else runs the
    /// BenchmarkDotNet benchmarks chosen by the arguments (e.g. <c>--filter *Gemm*</c>).
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "train-step" or "inference" or "onnx-inference" or "device-check" or "allreduce" or "gpu-gemm" or "kernels")
        {
            try
            {
                return args[0] switch
                {
                    "train-step" => Measurements.TrainStepMeasurement.Run(args[1..]),
                    "inference" => Measurements.InferenceMeasurement.Run(args[1..]),
                    "device-check" => Measurements.DeviceCheck.Run(args[1..]),
                    "allreduce" => Measurements.AllReduceMeasurement.Run(args[1..]),
                    "gpu-gemm" => Measurements.GpuGemmMeasurement.Run(args[1..]),
                    "kernels" => Measurements.KernelRooflineMeasurement.Run(args[1..]),
                    _ => Measurements.OnnxInferenceMeasurement.Run(args[1..]),
                };
            }
            catch (ArgumentException error)
            {
                Console.Error.WriteLine("error: " + error.Message);
                return 2;
            }
            catch (Exception error) when (Engine.Gpu.GpuFailure.Describe(error) is { } deviceFailure)
            {
                Console.Error.WriteLine("error: " + deviceFailure);
                return 1;
            }
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
