using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using MiniBioBert.Engine.Kernels;

// The CPU accelerator compiles kernels into a dynamic assembly named ILGPURuntime, which must see the internal
// kernel methods and argument structs.
[assembly: InternalsVisibleTo("ILGPURuntime")]

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Every kernel of the GPU path, compiled once for one accelerator when the <see cref="GpuDevice"/> opens.
/// Auto-grouped kernels (one thread per element) take the element count first; explicitly grouped ones
/// (shared memory, group reductions) take a <see cref="KernelConfig"/>.
/// </summary>
internal sealed class GpuKernels
{
    private readonly Accelerator _accelerator;

    public GpuKernels(Accelerator accelerator)
    {
        _accelerator = accelerator;
        Gemm = _accelerator.LoadStreamKernel<GemmArguments, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuGemm.Kernel);

        AddScaled = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>>(GpuElementwise.AddScaledKernel);
        Multiply = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuElementwise.MultiplyKernel);
        Scale = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(GpuElementwise.ScaleKernel);
        ColumnSums = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, float, ArrayView<float>, int, int>(GpuReductions.ColumnSumsKernel);
        SumOfSquaresPartials = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(GpuReductions.SumOfSquaresKernel);

        GeluForward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuActivations.GeluForwardKernel);
        GeluBackward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuActivations.GeluBackwardKernel);
        TanhForward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuActivations.TanhForwardKernel);
        TanhBackward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuActivations.TanhBackwardKernel);

        SoftmaxForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int>(GpuSoftmax.ForwardKernel);
        SoftmaxBackward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuSoftmax.BackwardKernel);
        LogSoftmaxForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(GpuSoftmax.LogForwardKernel);
        LogSoftmaxBackward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuSoftmax.LogBackwardKernel);

        LayerNormForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuLayerNorm.ForwardKernel);
        LayerNormBackwardInput = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuLayerNorm.BackwardInputKernel);
        LayerNormBackwardParameters = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuLayerNorm.BackwardParametersKernel);

        CrossEntropyForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int>(GpuCrossEntropy.ForwardKernel);
        CrossEntropyBackward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int>(GpuCrossEntropy.BackwardKernel);

        ArgMaxRows = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, int>(GpuArgMax.Kernel);

        GatherRows = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(GpuGather.GatherKernel);
        ScatterAddRows = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int>(GpuGather.ScatterAddKernel);
        DropoutForward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, uint, float, ulong, ArrayView<float>, ArrayView<float>>(GpuDropout.ForwardKernel);
        Permute = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PermuteLayout>(GpuPermute.Kernel);
        AdamW = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamWScalars>(GpuAdamW.Kernel);
    }

    public Action<KernelConfig, GemmArguments, ArrayView<float>, ArrayView<float>, ArrayView<float>> Gemm { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>> AddScaled { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> Multiply { get; }
    public Action<Index1D, ArrayView<float>, float, ArrayView<float>> Scale { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, float, ArrayView<float>, int, int> ColumnSums { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int> SumOfSquaresPartials { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>> GeluForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> GeluBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>> TanhForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> TanhBackward { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int> SoftmaxForward { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> SoftmaxBackward { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int> LogSoftmaxForward { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> LogSoftmaxBackward { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> LayerNormForward { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> LayerNormBackwardInput { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> LayerNormBackwardParameters { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int> CrossEntropyForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int> CrossEntropyBackward { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<int>, int> ArgMaxRows { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> GatherRows { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int> ScatterAddRows { get; }
    public Action<Index1D, ArrayView<float>, uint, float, ulong, ArrayView<float>, ArrayView<float>> DropoutForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, PermuteLayout> Permute { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamWScalars> AdamW { get; }
}
