using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// ILGPU's CPU accelerator runs kernels as ordinary .NET code, so it would accept constructs no GPU supports.
/// This test compiles every kernel with ILGPU's PTX (CUDA) backend — no GPU needed — which rejects managed
/// allocations, exceptions, virtual calls and unsupported types, and checks that the PTX uses shared memory
/// where the kernel relies on it. The context is the devices' own (<see cref="GpuDevice.CreateContext"/>: same
/// optimization level).
/// </summary>
[Category("Gpu")]
public class GpuPtxCompilationTests
{
    /// <summary>Every kernel method: internal static methods of the Engine.Gpu namespace whose names end in "Kernel".</summary>
    private static IEnumerable<MethodInfo> KernelMethods() =>
        typeof(GpuDevice).Assembly.GetTypes()
            .Where(type => type.Namespace == typeof(GpuDevice).Namespace)
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic))
            .Where(method => method.Name.EndsWith("Kernel", StringComparison.Ordinal) && method.IsAssembly);

    [Test]
    public void EveryKernelCompilesToPtx()
    {
        var kernels = KernelMethods().ToList();
        Assert.That(kernels, Has.Count.EqualTo(typeof(GpuKernels).GetProperties().Length), "one kernel method per loaded kernel");
        using var context = GpuDevice.CreateContext();
        // Hopper (sm_90), the H100 class; PTX ISA 7.8 is the first to support it.
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90),
            CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, nvvmAPI: null);
        foreach (var kernel in kernels)
        {
            bool autoGrouped = kernel.GetParameters()[0].ParameterType == typeof(Index1D);
            var entry = autoGrouped
                ? EntryPointDescription.FromImplicitlyGroupedKernel(kernel)
                : EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            Assert.That(compiled.PTXAssembly, Does.Contain(".entry"), $"{kernel.DeclaringType!.Name}.{kernel.Name}");
            if (kernel.Name == "Kernel" && kernel.DeclaringType == typeof(GpuGemm))
            {
                Assert.That(compiled.PTXAssembly, Does.Contain(".shared"), "GEMM tiles live in shared memory");
                Assert.That(compiled.PTXAssembly, Does.Not.Contain(".local"), "the 8×8 micro-tile stays in registers, not local memory");
                Assert.That(compiled.PTXAssembly, Does.Contain("ld.global.v4.f32"), "128-bit global loads of the slices' quads");
                Assert.That(compiled.PTXAssembly, Does.Contain("st.shared.v4.f32"), "128-bit shared stores of the slices' quads");
                Assert.That(compiled.PTXAssembly, Does.Contain("ld.shared.v4.f32"), "128-bit shared loads of the micro-tile's quads");
                Assert.That(compiled.PTXAssembly, Does.Contain("st.global.v4.f32"), "128-bit stores of C's quads");
            }
        }
    }
}
