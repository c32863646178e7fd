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
/// (shared memory, group reductions) take a <see cref="KernelConfig"/>. Each property hands out its kernel for one
/// launch and counts it (<see cref="GpuCounters"/>): callers write <c>device.Kernels.Name(…)</c> and nothing else.
/// </summary>
internal sealed class GpuKernels
{
    private readonly Accelerator _accelerator;
    private readonly GpuDevice _device;
    private readonly Action<KernelConfig, GemmArguments, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>> _gemm;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>> _addScaled;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _multiply;
    private readonly Action<Index1D, ArrayView<float>, float, ArrayView<float>> _scale;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, float, ArrayView<float>, int, int, ArrayView<float>, ArrayView<int>> _columnSums;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> _sumOfSquares;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>> _geluForward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> _geluBackward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>> _tanhForward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> _tanhBackward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int> _softmaxForward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _softmaxBackward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, int> _logSoftmaxForward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _logSoftmaxBackward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _layerNormForward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _layerNormBackwardInput;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>, ArrayView<int>> _layerNormBackwardParameters;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, DropoutDraw, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _residualLayerNormForward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> _biasGeluForward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>, ArrayView<int>> _biasGeluBackward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, Index3D, int> _sumOfEmbeddings;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> _crossEntropyForward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int> _crossEntropyBackward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, int> _argMaxRows;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _gatherRows;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int> _scatterAddRows;
    private readonly Action<Index1D, ArrayView<float>, DropoutDraw, ArrayView<float>, ArrayView<float>> _dropoutForward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, PermuteLayout> _permute;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamWScalars, ArrayView<float>> _adamW;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, double> _clipFactor;

    public GpuKernels(Accelerator accelerator, GpuDevice device)
    {
        _accelerator = accelerator;
        _device = device;
        _gemm = _accelerator.LoadStreamKernel<GemmArguments, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>>(GpuGemm.Kernel);

        _addScaled = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>>(GpuElementwise.AddScaledKernel);
        _multiply = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuElementwise.MultiplyKernel);
        _scale = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(GpuElementwise.ScaleKernel);
        _columnSums = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, float, ArrayView<float>, int, int, ArrayView<float>, ArrayView<int>>(GpuReductions.ColumnSumsKernel);
        _sumOfSquares = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>(GpuReductions.SumOfSquaresKernel);

        _geluForward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuActivations.GeluForwardKernel);
        _geluBackward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuActivations.GeluBackwardKernel);
        _tanhForward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuActivations.TanhForwardKernel);
        _tanhBackward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuActivations.TanhBackwardKernel);

        _softmaxForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int>(GpuSoftmax.ForwardKernel);
        _softmaxBackward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GpuSoftmax.BackwardKernel);
        _logSoftmaxForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(GpuSoftmax.LogForwardKernel);
        _logSoftmaxBackward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuSoftmax.LogBackwardKernel);

        _layerNormForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuLayerNorm.ForwardKernel);
        _layerNormBackwardInput = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuLayerNorm.BackwardInputKernel);
        _layerNormBackwardParameters = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>, ArrayView<int>>(GpuLayerNorm.BackwardParametersKernel);

        _residualLayerNormForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, DropoutDraw, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GpuResidualLayerNorm.ForwardKernel);
        _biasGeluForward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GpuActivations.BiasGeluForwardKernel);
        _biasGeluBackward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>, ArrayView<int>>(GpuActivations.BiasGeluBackwardKernel);
        _sumOfEmbeddings = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, Index3D, int>(GpuGather.SumOfRowsKernel);

        _crossEntropyForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>(GpuCrossEntropy.ForwardKernel);
        _crossEntropyBackward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int>(GpuCrossEntropy.BackwardKernel);

        _argMaxRows = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(GpuArgMax.Kernel);

        _gatherRows = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(GpuGather.GatherKernel);
        _scatterAddRows = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int>(GpuGather.ScatterAddKernel);
        _dropoutForward = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, DropoutDraw, ArrayView<float>, ArrayView<float>>(GpuDropout.ForwardKernel);
        _permute = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PermuteLayout>(GpuPermute.Kernel);
        _adamW = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamWScalars, ArrayView<float>>(GpuAdamW.Kernel);
        _clipFactor = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, double>(GpuClipping.Kernel);
    }

    public Action<KernelConfig, GemmArguments, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>> Gemm => Counted(_gemm);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>> AddScaled => Counted(_addScaled);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> Multiply => Counted(_multiply);
    public Action<Index1D, ArrayView<float>, float, ArrayView<float>> Scale => Counted(_scale);
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, float, ArrayView<float>, int, int, ArrayView<float>, ArrayView<int>> ColumnSums => Counted(_columnSums);
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> SumOfSquares => Counted(_sumOfSquares);

    public Action<Index1D, ArrayView<float>, ArrayView<float>> GeluForward => Counted(_geluForward);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> GeluBackward => Counted(_geluBackward);
    public Action<Index1D, ArrayView<float>, ArrayView<float>> TanhForward => Counted(_tanhForward);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> TanhBackward => Counted(_tanhBackward);

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int> SoftmaxForward => Counted(_softmaxForward);
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> SoftmaxBackward => Counted(_softmaxBackward);
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int> LogSoftmaxForward => Counted(_logSoftmaxForward);
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> LogSoftmaxBackward => Counted(_logSoftmaxBackward);

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> LayerNormForward => Counted(_layerNormForward);
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> LayerNormBackwardInput => Counted(_layerNormBackwardInput);
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>, ArrayView<int>> LayerNormBackwardParameters => Counted(_layerNormBackwardParameters);

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, DropoutDraw, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> ResidualLayerNormForward => Counted(_residualLayerNormForward);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> BiasGeluForward => Counted(_biasGeluForward);
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>, ArrayView<int>> BiasGeluBackward => Counted(_biasGeluBackward);
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, Index3D, int> SumOfEmbeddings => Counted(_sumOfEmbeddings);

    public Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> CrossEntropyForward => Counted(_crossEntropyForward);
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int> CrossEntropyBackward => Counted(_crossEntropyBackward);

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int> ArgMaxRows => Counted(_argMaxRows);

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> GatherRows => Counted(_gatherRows);
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int> ScatterAddRows => Counted(_scatterAddRows);
    public Action<Index1D, ArrayView<float>, DropoutDraw, ArrayView<float>, ArrayView<float>> DropoutForward => Counted(_dropoutForward);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, PermuteLayout> Permute => Counted(_permute);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamWScalars, ArrayView<float>> AdamW => Counted(_adamW);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, double> ClipFactor => Counted(_clipFactor);

    /// <summary>A kernel about to be launched: every access is one launch, counted, and remembered as the device's last (for error messages).</summary>
    private T Counted<T>(T kernel, [CallerMemberName] string kernelName = "")
    {
        _device.NoteLaunch(kernelName);
        return kernel;
    }
}
