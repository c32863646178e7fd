using MiniBioBert.Engine;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Engine.Reference;

namespace MiniBioBert.Tests.Engine;

/// <summary>
/// Holds every <see cref="ReferenceKernels"/> method equal to its <see cref="TensorKernels"/> CPU counterpart on seeded
/// random inputs of odd sizes, every tensor a view at a nonzero offset inside a larger array.
/// </summary>
/// <remarks>
/// How close is "equal": never a constant from one run, always the float32 error bound of the computation.
/// u = 2⁻²⁴ is the unit roundoff, γ_n = n·u/(1 − n·u) (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1).
/// <list type="bullet">
/// <item>The same float operations on the same operands in the same order: bit-equal (e.g. y = a·b, the embedding
/// sum, a permutation, the dropout mask, which both devices draw with the one function of <see cref="DropoutKernels"/>).</item>
/// <item>A sum of n terms (products or not, fused multiply-adds or not, in any order, as the CPU's SIMD lanes, row chunks and
/// GEMM tiles sum them, whether AVX2 or AVX-512) is within γ_n·Σ|term| of the exact sum, so two of them differ by at most
/// 2·γ_n·Σ|term|. A term that is itself computed (a·b) or scaled later costs one more rounding: n counts the
/// roundings on the longest path from an input to the result. An add of a·b + c that TensorPrimitives.MultiplyAdd may
/// or may not fuse is the case n = 2.</item>
/// <item>exp, log and tanh: MathF on the reference side, SIMD versions (Vector256/512, TensorPrimitives) on the CPU
/// side, each within 1 ulp of the exact value, so the two differ by at most 2 ulps ≤ 4u relative
/// (<see cref="LibraryDifference"/>). A difference δ (relative) in an input of a product passes on as δ, a difference
/// in an added term as its absolute size; each further rounding adds u per side.</item>
/// </list>
/// Each test states the bound it derives from these rules.
/// </remarks>
public class ReferenceKernelsTests
{
    private const int Rows = 7, Columns = 13;

    /// <summary>The unit roundoff of float32.</summary>
    private const double U = 1.0 / (1 << 24);

    /// <summary>How far apart two implementations of exp, log or tanh, each within 1 ulp, can be: 2 ulps ≤ 4u, relative.</summary>
    private const double LibraryDifference = 4 * U;

    /// <summary>γ_n = n·u/(1 − n·u): the relative error bound of n roundings.</summary>
    private static double Gamma(int n) => n * U / (1 - n * U);

    /// <summary>
    /// Every public method of <see cref="TensorKernels"/> has a twin in <see cref="ReferenceKernels"/>: the same name,
    /// return type and parameters (types, names, defaults), so that TensorKernels can hand its arguments on unchanged.
    /// </summary>
    [Test]
    public void EveryTensorKernelsMethodHasAReferenceTwin()
    {
        static string Signature(System.Reflection.MethodInfo method) =>
            $"{method.ReturnType} {method.Name}(" + string.Join(", ", method.GetParameters().Select(parameter =>
                $"{parameter.ParameterType} {parameter.Name}" + (parameter.HasDefaultValue ? $" = {parameter.DefaultValue}" : ""))) + ")";
        const System.Reflection.BindingFlags PublicStatic = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static;
        var kernels = typeof(TensorKernels).GetMethods(PublicStatic).Select(Signature).Order().ToArray();
        var references = typeof(ReferenceKernels).GetMethods(PublicStatic).Select(Signature).Order().ToArray();
        Assert.That(kernels, Has.Length.GreaterThanOrEqualTo(40));
        Assert.That(references, Is.EqualTo(kernels));
    }

    // ---- Elementwise --------------------------------------------------------------------------------------------

    [Test]
    public void FillIsBitEqual()
    {
        var (cpu, reference) = Twins(new Random(1), 1f, Rows, Columns);
        TensorKernels.Fill(cpu, 0.3f);
        ReferenceKernels.Fill(reference, 0.3f);
        AssertBitEqual(reference, cpu, "filled");
    }

    /// <summary>One rounding of the same operands per element on both sides (a·b, a + b, scale·x, b repeated over rows): bit-equal.</summary>
    [Test]
    public void SingleOperationKernelsAreBitEqual()
    {
        var random = new Random(2);
        var a = Input(random, 2f, Rows, Columns);
        var b = Input(random, 2f, Rows, Columns);
        var row = Input(random, 2f, Columns);
        var scalar = Input(random, 1f, 1);

        var (cpu, reference) = Twins(random, float.NaN, Rows, Columns);
        TensorKernels.MultiplySameSize(a, b, cpu);
        ReferenceKernels.MultiplySameSize(a, b, reference);
        AssertBitEqual(reference, cpu, "MultiplySameSize");

        TensorKernels.Multiply(a, row, cpu);
        ReferenceKernels.Multiply(a, row, reference);
        AssertBitEqual(reference, cpu, "Multiply (broadcast)");

        TensorKernels.Scale(a, -0.7f, cpu);
        ReferenceKernels.Scale(a, -0.7f, reference);
        AssertBitEqual(reference, cpu, "Scale");

        (cpu, reference) = Twins(random, 1f, Rows, Columns);
        TensorKernels.AddInto(cpu, a);
        ReferenceKernels.AddInto(reference, a);
        AssertBitEqual(reference, cpu, "AddInto");

        TensorKernels.AddScalarInto(cpu, scalar, 0.25f);
        ReferenceKernels.AddScalarInto(reference, scalar, 0.25f);
        AssertBitEqual(reference, cpu, "AddScalarInto");

        var (cpuTanhGrad, referenceTanhGrad) = Twins(random, 1f, Rows, Columns);
        var y = Input(random, 0.5f, Rows, Columns);
        TensorKernels.TanhBackward(y, a, cpuTanhGrad);
        ReferenceKernels.TanhBackward(y, a, referenceTanhGrad);
        AssertBitEqual(referenceTanhGrad, cpuTanhGrad, "TanhBackward");
    }

    /// <summary>
    /// Each element is c + a·b, which TensorPrimitives.MultiplyAdd may fuse (one rounding) or not (two): both within
    /// γ_2·(|c| + |a·b|) of exact, so |difference| ≤ 2·γ_2·(|c| + |a·b|).
    /// </summary>
    [Test]
    public void MultiplyAddKernelsAgreeWithinTwoRoundings()
    {
        var random = new Random(3);
        var a = Input(random, 2f, Rows, Columns);
        var b = Input(random, 2f, Rows, Columns);
        var row = Input(random, 2f, Columns);
        var start = Input(random, 2f, Rows, Columns);
        const float Scale = -1.3f;

        var (cpu, reference) = Twins(random, float.NaN, Rows, Columns);
        TensorKernels.AddScaled(a, row, Scale, cpu);
        ReferenceKernels.AddScaled(a, row, Scale, reference);
        AssertWithin(reference, cpu, i => 2 * Gamma(2) * (Math.Abs(a.Span[i]) + Math.Abs(Scale * row.Span[i % Columns])), "AddScaled");

        (cpu, reference) = CopiesOf(start);
        TensorKernels.AddScaledInto(cpu, b, Scale);
        ReferenceKernels.AddScaledInto(reference, b, Scale);
        AssertWithin(reference, cpu, i => 2 * Gamma(2) * (Math.Abs(start.Span[i]) + Math.Abs(Scale * b.Span[i])), "AddScaledInto");

        (cpu, reference) = CopiesOf(start);
        TensorKernels.MultiplyInto(cpu, a, row);
        ReferenceKernels.MultiplyInto(reference, a, row);
        AssertWithin(reference, cpu, i => 2 * Gamma(2) * (Math.Abs(start.Span[i]) + Math.Abs(a.Span[i] * row.Span[i % Columns])), "MultiplyInto");

        (cpu, reference) = CopiesOf(start);
        TensorKernels.DropoutBackward(a, b, cpu);
        ReferenceKernels.DropoutBackward(a, b, reference);
        AssertWithin(reference, cpu, i => 2 * Gamma(2) * (Math.Abs(start.Span[i]) + Math.Abs(a.Span[i] * b.Span[i])), "DropoutBackward");
    }

    /// <summary>The mask is a pure function of (seed, element index) on both devices: masks and outputs bit-equal.</summary>
    [TestCase(0.1f, 7UL)]
    [TestCase(0.5f, 123456789UL)]
    [TestCase(0f, 3UL)]
    public void DropoutForwardMasksAreBitEqual(float probability, ulong seed)
    {
        var random = new Random(4);
        var x = Input(random, 1f, 37, 29); // 1,073 elements: SIMD blocks and a scalar tail on the CPU
        var (cpuMask, referenceMask) = Twins(random, float.NaN, 37, 29);
        var (cpuY, referenceY) = Twins(random, float.NaN, 37, 29);
        TensorKernels.DropoutForward(x, probability, seed, cpuMask, cpuY);
        ReferenceKernels.DropoutForward(x, probability, seed, referenceMask, referenceY);
        AssertBitEqual(referenceMask, cpuMask, "mask");
        AssertBitEqual(referenceY, cpuY, "y");
    }

    // ---- Activations --------------------------------------------------------------------------------------------

    /// <summary>
    /// GELU(x) = x·Φ(x), Φ from the same float formula on both sides (<see cref="GaussianFunctions.Cdf(float)"/> and its
    /// SIMD twin) except for exp and the erfc polynomial P(t), which the SIMD twin evaluates with fused multiply-adds.
    /// z and t = 1/(1 + z/2) round alike; P(t) by Horner's rule is within γ₁₈·S(t) (two roundings a step) on one side
    /// and γ₉·S(t) (one) on the other, S(t) = Σ|cᵢ|tⁱ (Higham, §5.1), and the exp's argument a = P(t) − z² rounds
    /// once more on each side: the arguments differ by E·u = 27u·S(t) + 2u·|a| (<see cref="ErfcArgumentUlps"/>), which
    /// e^a turns into a relative difference. Φ = ½·t·e^a for x &lt; 0: the exps differ by 4u + E·u, the product's rounding
    /// adds 2u: (E + 6)u relative. For x ≥ 0, Φ = 1 − that half (≤ ½) with one more rounding of a value ≤ 1:
    /// ≤ (E + 6)u·½ + 2u ≤ (E + 10)u·Φ (Φ ≥ ½). So Φ differs by ≤ (E + 10)u relative, and y = x·Φ by ≤ (E + 12)u·|y|.
    /// The derivative Φ + x·φ: φ = c·exp(−x²/2) differs by 4u + 2u, x·φ by 8u, the sum by
    /// (E + 10)u·Φ + 8u·|x|φ + 2u·|sum| ≤ (E + 12)u·(Φ + |x|φ) + 2u·|sum|; times dy and added into dx: two more
    /// roundings per side.
    /// </summary>
    [Test]
    public void GeluAgreesWithinTheExpDifference()
    {
        var random = new Random(5);
        var x = Input(random, 2.5f, Rows, Columns);
        var dy = Input(random, 1f, Rows, Columns);
        var start = Input(random, 1f, Rows, Columns);

        var (cpu, reference) = Twins(random, float.NaN, Rows, Columns);
        TensorKernels.GeluForward(x, cpu);
        ReferenceKernels.GeluForward(x, reference);
        AssertWithin(reference, cpu, i => (ErfcArgumentUlps(x.Span[i]) + 12) * U * Math.Abs(cpu.Span[i]), "GELU");

        (cpu, reference) = CopiesOf(start);
        TensorKernels.GeluBackward(x, dy, cpu);
        ReferenceKernels.GeluBackward(x, dy, reference);
        AssertWithin(reference, cpu, i => GeluGradientBound(x.Span[i], dy.Span[i]) + 2 * U * Math.Abs(cpu.Span[i]), "GELU backward");
    }

    /// <summary>
    /// Forward: the bias add is the same rounding on both sides (bit-equal pre), then GELU (≤ (E + 12)u·|y|, see
    /// <see cref="GeluAgreesWithinTheExpDifference"/>). Backward: the CPU takes Φ(x) = y/x from its forward's y =
    /// x·Φ_cpu(x)·(1 + δ): Φ_cpu within (E + 10)u of the reference's Φ, δ and the division one rounding each, so
    /// (E + 12)u·Φ; with x·φ's 8u and the sum's 2u, ≤ (E + 14)u·(Φ + |x|·φ) + 2u·|GELU'|, times dy with one more
    /// rounding per side. The bias gradient sums rows + 1 terms in another order (row chunks on the CPU):
    /// 2·γ_(rows+1)·(|b₀| + Σ|preGrad|) plus the preGrad differences.
    /// </summary>
    [TestCase(7, 13)]
    [TestCase(101, 19)]
    public void BiasGeluAgrees(int rows, int width)
    {
        var random = new Random(6);
        var product = Input(random, 2f, rows, width);
        var bias = Input(random, 1f, width);
        var (cpuPre, referencePre) = CopiesOf(product);
        var (cpuY, referenceY) = Twins(random, float.NaN, rows, width);
        TensorKernels.BiasGeluForward(cpuPre, bias, cpuY);
        ReferenceKernels.BiasGeluForward(referencePre, bias, referenceY);
        AssertBitEqual(referencePre, cpuPre, "pre + bias");
        AssertWithin(referenceY, cpuY, i => (ErfcArgumentUlps(cpuPre.Span[i]) + 12) * U * Math.Abs(cpuY.Span[i]), "GELU(pre + bias)");

        var pre = cpuPre;
        var dy = Input(random, 1f, rows, width);
        var biasGradStart = Input(random, 1f, width);
        var (cpuPreGrad, referencePreGrad) = Twins(random, float.NaN, rows, width);
        var (cpuBiasGrad, referenceBiasGrad) = CopiesOf(biasGradStart);
        TensorKernels.BiasGeluBackward(pre, cpuY, dy, cpuPreGrad, cpuBiasGrad);
        ReferenceKernels.BiasGeluBackward(pre, cpuY, dy, referencePreGrad, referenceBiasGrad);
        double PreGradBound(int i) => GeluGradientBound(pre.Span[i], dy.Span[i], cdfAndPdfUlps: 14);
        AssertWithin(referencePreGrad, cpuPreGrad, PreGradBound, "preGrad");
        AssertWithin(referenceBiasGrad, cpuBiasGrad, c =>
        {
            double magnitude = Math.Abs(biasGradStart.Span[c]), differences = 0;
            for (int r = 0; r < rows; r++)
            {
                magnitude += Math.Abs(cpuPreGrad.Span[r * width + c]);
                differences += PreGradBound(r * width + c);
            }
            return 2 * Gamma(rows + 1) * magnitude + differences;
        }, "biasGrad");
    }

    /// <summary>
    /// Φ(x) = y/x is no use where x is 0 or so small that y = x·Φ(x) loses digits (subnormal): there the CPU takes
    /// Φ = ½, whose error |x|·φ(0) is below 10⁻³⁰; GELU'(x) = ½ + O(x), so preGrad = dy/2 on both sides.
    /// </summary>
    [Test]
    public void BiasGeluBackwardNearZeroTakesHalf()
    {
        float[] values = [0f, -0f, 1e-31f, -1e-31f, 1e-38f, -3e-39f, float.Epsilon, 1e-29f, -1e-29f, 0f, 1e-35f];
        var bias = Tensor.Zeros(Device.Cpu, values.Length);
        var (cpuPre, referencePre) = (Tensor.FromArray(values, 1, values.Length), Tensor.FromArray(values, 1, values.Length));
        var y = Tensor.Zeros(Device.Cpu, 1, values.Length);
        TensorKernels.BiasGeluForward(cpuPre, bias, y);
        ReferenceKernels.BiasGeluForward(referencePre, bias, Tensor.Zeros(Device.Cpu, 1, values.Length));
        var dy = Tensor.FromArray([.. Enumerable.Range(1, values.Length).Select(i => (float)i)], 1, values.Length);
        var (cpuPreGrad, referencePreGrad) = (Tensor.Zeros(Device.Cpu, 1, values.Length), Tensor.Zeros(Device.Cpu, 1, values.Length));
        TensorKernels.BiasGeluBackward(cpuPre, y, dy, cpuPreGrad, Tensor.Zeros(Device.Cpu, values.Length));
        ReferenceKernels.BiasGeluBackward(referencePre, y, dy, referencePreGrad, Tensor.Zeros(Device.Cpu, values.Length));
        for (int i = 0; i < values.Length; i++)
        {
            Assert.That(cpuPreGrad.Span[i], Is.EqualTo(dy.Span[i] / 2).Within(2 * U * dy.Span[i]), $"CPU, x = {values[i]}");
            Assert.That(referencePreGrad.Span[i], Is.EqualTo(dy.Span[i] / 2).Within(2 * U * dy.Span[i]), $"reference, x = {values[i]}");
        }
    }

    /// <summary>
    /// MathF.Tanh (within 1 ulp: 2u·|y|) against TensorPrimitives.Tanh, which forms z = e^(−2|x|) − 1 in float and
    /// returns −z/(z + 2): the exp's 1 ulp and the subtraction leave |Δz| ≤ 2u (absolute, the cancellation near x = 0),
    /// which −z/(z + 2) passes on times 2/(z + 2)² ≤ 2, and the add and divide round: ≤ 4u + 2u·|y|. Together
    /// |difference| ≤ 4u + 4u·|y| (an absolute part: near 0 the CPU's tanh is not accurate to a few ulps).
    /// </summary>
    [Test]
    public void TanhAgreesWithinTheLibraryDifference()
    {
        var random = new Random(7);
        var x = Input(random, 1.5f, Rows, Columns);
        var (cpu, reference) = Twins(random, float.NaN, Rows, Columns);
        TensorKernels.TanhForward(x, cpu);
        ReferenceKernels.TanhForward(x, reference);
        AssertWithin(reference, cpu, i => 4 * U + 4 * U * Math.Abs(cpu.Span[i]), "tanh");
    }

    /// <summary>
    /// |Δ(dy·GELU'(x))| ≤ |dy|·((E + n)·u·(Φ + |x|·φ) + 2u·|GELU'|), the bound derived in <see cref="GeluAgreesWithinTheExpDifference"/>
    /// (n = 12) and <see cref="BiasGeluAgrees"/> (n = 14, Φ from the forward's output); the magnitudes evaluated in double.
    /// </summary>
    private static double GeluGradientBound(float x, float dy, int cdfAndPdfUlps = 12)
    {
        double cdf = GaussianFunctions.Cdf((double)x), pdf = GaussianFunctions.Pdf((double)x);
        double ulps = cdfAndPdfUlps + ErfcArgumentUlps(x);
        return Math.Abs(dy) * (ulps * U * (cdf + Math.Abs(x) * pdf) + 2 * U * Math.Abs(cdf + x * pdf));
    }

    /// <summary>
    /// E: how many units u the float exp arguments a = P(t) − z² of Φ(x) may differ by between the reference (Horner's
    /// rule, two roundings a step) and the SIMD kernel (fused multiply-adds): 27·S(t) + 2·|a|, S(t) = Σ|cᵢ|tⁱ, in double.
    /// </summary>
    private static double ErfcArgumentUlps(float x)
    {
        double z = Math.Abs(x) * GaussianFunctions.InverseSqrt2, t = 1 / (1 + 0.5 * z);
        double magnitudes = 0, polynomial = 0, power = 1;
        foreach (double coefficient in GaussianFunctions.ErfcPolynomialCoefficients)
        {
            magnitudes += Math.Abs(coefficient) * power;
            polynomial += coefficient * power;
            power *= t;
        }
        return 27 * magnitudes + 2 * Math.Abs(polynomial - z * z);
    }

    // ---- Reductions ---------------------------------------------------------------------------------------------

    /// <summary>
    /// The CPU sums chunks of 4,096 in float and the chunk sums in double; the reference sums in double: the float
    /// chunk sums cost γ_min(n, 4096)·Σ|x| (the double additions ≤ n·2⁻⁵³·Σ|x|, counted twice for both sides), and
    /// the final rounding to float u·|result| per side.
    /// </summary>
    [TestCase(7 * 13)]
    [TestCase(10_007)]
    public void SumAgrees(int count)
    {
        var random = new Random(8);
        var x = Input(random, 1f, count);
        var (cpu, reference) = Twins(random, float.NaN, 1);
        const float Scale = 0.37f;
        TensorKernels.Sum(x, Scale, cpu);
        ReferenceKernels.Sum(x, Scale, reference);
        double absoluteSum = 0;
        foreach (float value in x.Span)
        {
            absoluteSum += Math.Abs(value);
        }
        double bound = (Gamma(Math.Min(count, 4096)) + 2 * count * Math.Pow(2, -53)) * Scale * absoluteSum + 2 * U * Math.Abs(cpu.Span[0]);
        AssertWithin(reference, cpu, _ => bound, "Sum");
    }

    /// <summary>
    /// Σ x² in double: every square of a float is exact in double (48 significant bits), so only the n − 1 additions
    /// round, each within 2⁻⁵³ relative: two orders differ by at most 2·n·2⁻⁵³·Σ x².
    /// </summary>
    [TestCase(7 * 13)]
    [TestCase(70_001)]
    public void SumOfSquaresAgrees(int count)
    {
        var x = Input(new Random(11), 1f, count);
        double cpu = TensorKernels.SumOfSquares(x), reference = ReferenceKernels.SumOfSquares(x);
        Assert.That(reference, Is.EqualTo(cpu).Within(2 * count * Math.Pow(2, -53) * cpu));
    }

    /// <summary>
    /// AdamW: the CPU's Vector256 lanes, its scalar tail and the reference loop do <see cref="AdamWScalars"/>'s float
    /// operations in the same order (no fused multiply-add), so every parameter and moment is bit-equal. 70,001
    /// elements: three parallel chunks and a tail; half the elements decay; the gradients are scaled by a clipping factor.
    /// </summary>
    [Test]
    public void AdamWUpdateIsBitEqual()
    {
        const int Count = 70_001;
        var random = new Random(12);
        var parameters = Input(random, 1f, Count);
        var gradients = Input(random, 1f, Count);
        var firstMoment = Input(random, 0.1f, Count);
        var secondMoment = Input(random, 0.1f, Count);
        var decayMask = Tensor.Zeros(Count);
        for (int i = 0; i < Count; i++)
        {
            secondMoment.Span[i] = Math.Abs(secondMoment.Span[i]);
            decayMask.Span[i] = i % 2;
        }
        var scalars = new AdamWScalars(new AdamWHyperparameters(1e-3, 0.9, 0.999, 1e-6, 0.01), step: 3);
        var (cpu, reference) = (Copies(parameters, firstMoment, secondMoment), Copies(parameters, firstMoment, secondMoment));
        var clipped = StepControl.Unconditional(Device.Cpu, clipFactor: 0.7f);
        var skipped = Tensor.FromArray([0f, float.NaN, 1f, 0f], StepControl.Length); // a non-finite norm: apply = 0

        TensorKernels.AdamWUpdate(cpu[0], gradients, cpu[1], cpu[2], decayMask, scalars, clipped);
        ReferenceKernels.AdamWUpdate(reference[0], gradients, reference[1], reference[2], decayMask, scalars, clipped);
        var afterOne = cpu.Select(t => t.ToArray()).ToArray();
        TensorKernels.AdamWUpdate(cpu[0], gradients, cpu[1], cpu[2], decayMask, scalars, skipped);
        ReferenceKernels.AdamWUpdate(reference[0], gradients, reference[1], reference[2], decayMask, scalars, skipped);
        Assert.That(cpu.Select(t => t.ToArray()), Is.EqualTo(afterOne), "a skipped update changes nothing");

        for (int t = 0; t < 3; t++)
        {
            Assert.That(reference[t].ToArray(), Is.EqualTo(cpu[t].ToArray()), t == 0 ? "parameters" : t == 1 ? "m" : "v");
        }
        Assert.That(cpu[0].ToArray(), Is.Not.EqualTo(parameters.ToArray()), "the parameters moved");
    }

    private static Tensor[] Copies(params Tensor[] tensors) => [.. tensors.Select(t => Tensor.FromArray(t.ToArray(), t.Size))];

    /// <summary>
    /// destination[c] ± Σ_r source[r, c]: rows + 1 terms summed in another order (32 row chunks on the CPU), each
    /// product a·b one more rounding: 2·γ_(rows+2)·(|d₀[c]| + Σ_r |term|).
    /// </summary>
    [TestCase(7, 13)]
    [TestCase(101, 19)]
    public void ColumnSumsAgree(int rows, int columns)
    {
        var random = new Random(9);
        var a = Input(random, 1f, rows, columns);
        var b = Input(random, 1f, rows, columns);
        var start = Input(random, 1f, columns);
        double Bound(int c, bool products)
        {
            double magnitude = Math.Abs(start.Span[c]);
            for (int r = 0; r < rows; r++)
            {
                magnitude += Math.Abs(a.Span[r * columns + c] * (products ? b.Span[r * columns + c] : 1f));
            }
            return 2 * Gamma(rows + 2) * magnitude;
        }

        var (cpu, reference) = CopiesOf(start);
        TensorKernels.AddColumnSums(a, cpu, columns);
        ReferenceKernels.AddColumnSums(a, reference, columns);
        AssertWithin(reference, cpu, c => Bound(c, products: false), "AddColumnSums");

        (cpu, reference) = CopiesOf(start);
        TensorKernels.SubtractColumnSums(a, cpu, columns);
        ReferenceKernels.SubtractColumnSums(a, reference, columns);
        AssertWithin(reference, cpu, c => Bound(c, products: false), "SubtractColumnSums");

        (cpu, reference) = CopiesOf(start);
        TensorKernels.AddColumnSumsOfProducts(a, b, cpu, columns);
        ReferenceKernels.AddColumnSumsOfProducts(a, b, reference, columns);
        AssertWithin(reference, cpu, c => Bound(c, products: true), "AddColumnSumsOfProducts");
    }

    // ---- Indexing -----------------------------------------------------------------------------------------------

    /// <summary>Copies, and adds in the same order per element (the CPU's column blocks walk the rows in order): bit-equal.</summary>
    [Test]
    public void GatherScatterAndEmbeddingsAreBitEqual()
    {
        var random = new Random(10);
        const int TableRows = 11;
        var table = Input(random, 1f, TableRows, Columns);
        int[] indices = [3, 0, 10, 3, 7, 3, 5]; // 3 repeats: its scatter-adds accumulate
        var (cpu, reference) = Twins(random, float.NaN, indices.Length, Columns);
        TensorKernels.GatherRows(table, indices, cpu, Columns);
        ReferenceKernels.GatherRows(table, indices, reference, Columns);
        AssertBitEqual(reference, cpu, "GatherRows");

        var rowsGrad = Input(random, 1f, indices.Length, Columns);
        var (cpuTable, referenceTable) = CopiesOf(Input(random, 1f, TableRows, Columns));
        TensorKernels.ScatterAddRows(rowsGrad, indices, cpuTable, Columns);
        ReferenceKernels.ScatterAddRows(rowsGrad, indices, referenceTable, Columns);
        AssertBitEqual(referenceTable, cpuTable, "ScatterAddRows");

        var position = Input(random, 1f, 9, Columns);
        var tokenType = Input(random, 1f, 2, Columns);
        int[] positionIds = [0, 1, 2, 3, 4, 5, 8];
        int[] tokenTypeIds = [0, 0, 0, 1, 1, 1, 0];
        (cpu, reference) = Twins(random, float.NaN, indices.Length, Columns);
        TensorKernels.SumOfEmbeddings(table, indices, position, positionIds, tokenType, tokenTypeIds, cpu, Columns);
        ReferenceKernels.SumOfEmbeddings(table, indices, position, positionIds, tokenType, tokenTypeIds, reference, Columns);
        AssertBitEqual(reference, cpu, "SumOfEmbeddings");

        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceKernels.GatherRows(table, [TableRows], reference, Columns));
    }

    /// <summary>Ties (the first wins), a NaN (wins), +0 against −0 (+0 wins), as TensorPrimitives.IndexOfMax.</summary>
    [Test]
    public void ArgMaxRowsIsEqual()
    {
        var random = new Random(11);
        var x = Input(random, 1f, Rows, Columns);
        var values = x.Span;
        values[1 * Columns + 9] = values[1 * Columns + 2] = 50f; // a tie
        values[2 * Columns + 4] = float.NaN;
        values[2 * Columns + 6] = float.NaN;
        for (int c = 0; c < Columns; c++)
        {
            values[3 * Columns + c] = c == 5 ? 0f : c < 5 ? -0f : -1f; // −0 first, then +0
        }
        Assert.That(ReferenceKernels.ArgMaxRows(x), Is.EqualTo(TensorKernels.ArgMaxRows(x)));
        Assert.That(ReferenceKernels.ArgMaxRows(x)[1..4], Is.EqualTo(new[] { 2, 4, 5 }));
        var other = Input(random, 1f, 3, 2);
        float[] both = TensorKernels.ArgMaxIndices(x, other).ToArray();
        Assert.That(TensorKernels.ArgMaxIndices(x.To(Device.Reference), other.To(Device.Reference)).ToArray(), Is.EqualTo(both));
        Assert.That(both[^3..], Is.EqualTo(TensorKernels.ArgMaxRows(other).Select(index => (float)index)), "the second tensor's rows follow the first's");
    }

    /// <summary>A permutation copies (or adds, in one rounding) each element: bit-equal.</summary>
    [TestCase(new[] { 2, 5, 3, 4 }, new[] { 0, 2, 1, 3 })]
    [TestCase(new[] { 2, 5, 3, 4 }, new[] { 3, 1, 0, 2 })]
    [TestCase(new[] { 7, 13 }, new[] { 1, 0 })]
    [TestCase(new[] { 3, 1, 5 }, new[] { 2, 0, 1 })]
    public void PermuteIsBitEqual(int[] shape, int[] order)
    {
        var random = new Random(12);
        var input = Input(random, 1f, shape);
        var outputShape = order.Select(d => shape[d]).ToArray();
        var (cpu, reference) = Twins(random, float.NaN, outputShape);
        TensorKernels.Permute(input, shape, order, cpu, accumulate: false);
        ReferenceKernels.Permute(input, shape, order, reference, accumulate: false);
        AssertBitEqual(reference, cpu, "written");

        TensorKernels.Permute(input, shape, order, cpu, accumulate: true);
        ReferenceKernels.Permute(input, shape, order, reference, accumulate: true);
        AssertBitEqual(reference, cpu, "accumulated");
    }

    // ---- Matrix products ----------------------------------------------------------------------------------------

    private static IEnumerable<TestCaseData> MatMulCases()
    {
        (int M, int N, int K)[] shapes = [(7, 13, 5), (13, 33, 31), (67, 17, 257), (5, 129, 300)];
        (float Alpha, float Beta)[] scalings = [(1f, 0f), (0.5f, 1f), (-2f, 0.25f), (0f, 2f)];
        foreach (var (m, n, k) in shapes)
        {
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    foreach (var (alpha, beta) in scalings)
                    {
                        yield return new TestCaseData(m, n, k, transposeA, transposeB, alpha, beta, m == 7 ? 3 : 1);
                    }
                }
            }
        }
    }

    /// <summary>
    /// c = alpha·Σ_p a·b + beta·c₀. The reference rounds each product, k − 1 additions, alpha, beta·c₀ and the last
    /// add; the GEMM sums in tiles of another order (AVX2 or AVX-512 register tiles), fused or not, and applies alpha per
    /// k slice, adding the slices: at most 2k + 3 roundings on any path, so each side is within
    /// γ_(2k+3)·(|alpha|·Σ_p|a·b| + |beta·c₀|) of exact and the two differ by twice that. beta = 0 must not read c
    /// (it starts as NaN then).
    /// </summary>
    [TestCaseSource(nameof(MatMulCases))]
    public void MatMulAgrees(int m, int n, int k, bool transposeA, bool transposeB, float alpha, float beta, int batch)
    {
        var random = new Random(13 + m + n + k);
        var a = Input(random, 1f, batch, transposeA ? k : m, transposeA ? m : k);
        var b = Input(random, 1f, batch, transposeB ? n : k, transposeB ? k : n);
        var start = Input(random, beta == 0f ? float.NaN : 1f, batch, m, n);
        var (cpu, reference) = CopiesOf(start);
        TensorKernels.MatMul(transposeA, transposeB, m, n, k, a, b, cpu, alpha, beta, batch);
        ReferenceKernels.MatMul(transposeA, transposeB, m, n, k, a, b, reference, alpha, beta, batch);
        AssertWithin(reference, cpu, index =>
        {
            int item = index / (m * n), i = index % (m * n) / n, j = index % n;
            double magnitude = 0;
            for (int p = 0; p < k; p++)
            {
                float aValue = transposeA ? a.Span[item * m * k + p * m + i] : a.Span[item * m * k + i * k + p];
                float bValue = transposeB ? b.Span[item * k * n + j * k + p] : b.Span[item * k * n + p * n + j];
                magnitude += Math.Abs(alpha) * Math.Abs(aValue * (double)bValue);
            }
            magnitude += beta == 0f ? 0 : Math.Abs(beta * (double)start.Span[index]);
            return 2 * Gamma(2 * k + 3) * magnitude;
        }, $"MatMul {m}x{n}x{k}");
    }

    private const int Batch = 2, Heads = 3, Time = 5, HeadSize = 4, Hidden = Heads * HeadSize;

    /// <summary>The attention products, each head's matrix in place inside larger tensors; names as in BertSelfAttention.</summary>
    private static IEnumerable<TestCaseData> PerHeadCases()
    {
        // (transposeA, transposeB, m, n, k, layout of a, layout of b, layout of c, alpha, beta)
        yield return new TestCaseData(false, true, Time, Time, HeadSize, Layout.Query, Layout.Key, Layout.Scores, 0.5f, 0f)
            .SetName("scores = Q·Kᵀ/√d");
        yield return new TestCaseData(false, false, Time, HeadSize, Time, Layout.Scores, Layout.Value, Layout.Context, 1f, 0f)
            .SetName("context = P·V");
        yield return new TestCaseData(true, false, Time, HeadSize, Time, Layout.Scores, Layout.Context, Layout.Value, 1f, 1f)
            .SetName("dV += Pᵀ·dContext");
        yield return new TestCaseData(false, true, Time, Time, HeadSize, Layout.Context, Layout.Value, Layout.Scores, 1f, 0f)
            .SetName("dP = dContext·Vᵀ");
        yield return new TestCaseData(true, true, HeadSize, Time, Time, Layout.Query, Layout.Scores, Layout.HeadByTime, -0.5f, 0.25f)
            .SetName("both transposed, alpha and beta");
    }

    /// <summary>Where the per-head matrices sit: inside the fused [B, T, 3·hidden] QKV tensor, or [B, H, T, T], [B, T, hidden], [B, H, d, T].</summary>
    public enum Layout { Query, Key, Value, Scores, Context, HeadByTime }

    /// <summary>The bound of <see cref="MatMulAgrees"/>, per (item, head) product.</summary>
    [TestCaseSource(nameof(PerHeadCases))]
    public void MultiplyPerHeadAgrees(bool transposeA, bool transposeB, int m, int n, int k, Layout aLayout, Layout bLayout, Layout cLayout,
        float alpha, float beta)
    {
        var random = new Random(14);
        var a = Matrices(random, aLayout, 1f);
        var b = Matrices(random, bLayout, 1f);
        var cStart = Matrices(random, cLayout, beta == 0f ? float.NaN : 1f);
        var (cpuTensor, referenceTensor) = CopiesOf(cStart.Tensor);
        var cpu = cStart with { Tensor = cpuTensor };
        var reference = cStart with { Tensor = referenceTensor };
        TensorKernels.MultiplyPerHead(transposeA, transposeB, m, n, k, a, b, cpu, Batch, Heads, alpha, beta);
        ReferenceKernels.MultiplyPerHead(transposeA, transposeB, m, n, k, a, b, reference, Batch, Heads, alpha, beta);

        // Element (i, j) of each (item, head) product against its bound; every other element of c must be untouched.
        float At(StridedMatrices x, int item, int head, int row, int column) =>
            x.Tensor.Data[x.Tensor.Offset + item * x.BatchStride + head * x.HeadStride + (long)row * x.RowStride + column];
        var checkedPositions = new HashSet<long>();
        for (int item = 0; item < Batch; item++)
        {
            for (int head = 0; head < Heads; head++)
            {
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double magnitude = beta == 0f ? 0 : Math.Abs(beta * (double)At(cStart, item, head, i, j));
                        for (int p = 0; p < k; p++)
                        {
                            float aValue = transposeA ? At(a, item, head, p, i) : At(a, item, head, i, p);
                            float bValue = transposeB ? At(b, item, head, j, p) : At(b, item, head, p, j);
                            magnitude += Math.Abs(alpha * (double)aValue * bValue);
                        }
                        float cpuValue = At(cpu, item, head, i, j), referenceValue = At(reference, item, head, i, j);
                        double bound = 2 * Gamma(2 * k + 3) * magnitude;
                        Assert.That(Math.Abs(referenceValue - (double)cpuValue), Is.LessThanOrEqualTo(bound),
                            $"item {item}, head {head}, [{i}, {j}]: reference {referenceValue:R}, CPU {cpuValue:R}");
                        checkedPositions.Add(cStart.Tensor.Offset + item * cStart.BatchStride + head * cStart.HeadStride + (long)i * cStart.RowStride + j);
                    }
                }
            }
        }
        for (long position = 0; position < cStart.Tensor.Data.Length; position++)
        {
            if (!checkedPositions.Contains(position))
            {
                Assert.That(referenceTensor.Data[position], Is.EqualTo(cStart.Tensor.Data[position]), $"position {position} outside the products");
            }
        }
    }

    private static StridedMatrices Matrices(Random random, Layout layout, float scale)
    {
        const int Fused = 3 * Hidden;
        switch (layout)
        {
            case Layout.Query or Layout.Key or Layout.Value:
                // One [B, T, 3·hidden] tensor (query | key | value); the view starts at its part's first column.
                var fused = Input(random, scale, Batch, Time, Fused);
                int part = (int)layout * Hidden;
                var view = Tensor.ViewOf(fused.Data, fused.Offset + part, Batch * Time * Fused - part);
                return new StridedMatrices(view, Fused, HeadSize, (long)Time * Fused);
            case Layout.Scores:
                return new StridedMatrices(Input(random, scale, Batch, Heads, Time, Time), Time, Time * Time, (long)Heads * Time * Time);
            case Layout.Context:
                return new StridedMatrices(Input(random, scale, Batch, Time, Hidden), Hidden, HeadSize, (long)Time * Hidden);
            default:
                return new StridedMatrices(Input(random, scale, Batch, Heads, HeadSize, Time), Time, HeadSize * Time, (long)Heads * HeadSize * Time);
        }
    }

    /// <summary>
    /// y = x·Wᵀ + bias: the GEMM bound with k = in and one more rounding for the bias add, 2·γ_(2k+4)·(Σ|x·w| + |bias|).
    /// Backward: dx += dy·W (k = out) and dW += dyᵀ·x (k = rows) with beta = 1, the GEMM bound; dbias the column sums'.
    /// </summary>
    [TestCase(7, 13, 5, true)]
    [TestCase(37, 33, 70, true)]
    [TestCase(7, 13, 5, false)]
    public void LinearAgrees(int rows, int inFeatures, int outFeatures, bool withBias)
    {
        var random = new Random(15);
        var x = Input(random, 1f, rows, inFeatures);
        var weight = Input(random, 0.5f, outFeatures, inFeatures);
        var bias = withBias ? Input(random, 1f, outFeatures) : null;
        var (cpu, reference) = Twins(random, float.NaN, rows, outFeatures);
        TensorKernels.LinearForward(x, weight, bias, cpu);
        ReferenceKernels.LinearForward(x, weight, bias, reference);
        AssertWithin(reference, cpu, index =>
        {
            int r = index / outFeatures, o = index % outFeatures;
            double magnitude = bias is null ? 0 : Math.Abs(bias.Span[o]);
            for (int i = 0; i < inFeatures; i++)
            {
                magnitude += Math.Abs(x.Span[r * inFeatures + i] * (double)weight.Span[o * inFeatures + i]);
            }
            return 2 * Gamma(2 * inFeatures + 4) * magnitude;
        }, "LinearForward");

        var dy = Input(random, 1f, rows, outFeatures);
        var inputGradStart = Input(random, 1f, rows, inFeatures);
        var weightGradStart = Input(random, 1f, outFeatures, inFeatures);
        var biasGradStart = Input(random, 1f, outFeatures);
        var (cpuInputGrad, referenceInputGrad) = CopiesOf(inputGradStart);
        var (cpuWeightGrad, referenceWeightGrad) = CopiesOf(weightGradStart);
        var (cpuBiasGrad, referenceBiasGrad) = CopiesOf(biasGradStart);
        TensorKernels.LinearBackward(dy, x, weight, cpuInputGrad, cpuWeightGrad, withBias ? cpuBiasGrad : null);
        ReferenceKernels.LinearBackward(dy, x, weight, referenceInputGrad, referenceWeightGrad, withBias ? referenceBiasGrad : null);
        AssertWithin(referenceInputGrad, cpuInputGrad, index =>
        {
            int r = index / inFeatures, i = index % inFeatures;
            double magnitude = Math.Abs(inputGradStart.Span[index]);
            for (int o = 0; o < outFeatures; o++)
            {
                magnitude += Math.Abs(dy.Span[r * outFeatures + o] * (double)weight.Span[o * inFeatures + i]);
            }
            return 2 * Gamma(2 * outFeatures + 3) * magnitude;
        }, "dx");
        AssertWithin(referenceWeightGrad, cpuWeightGrad, index =>
        {
            int o = index / inFeatures, i = index % inFeatures;
            double magnitude = Math.Abs(weightGradStart.Span[index]);
            for (int r = 0; r < rows; r++)
            {
                magnitude += Math.Abs(dy.Span[r * outFeatures + o] * (double)x.Span[r * inFeatures + i]);
            }
            return 2 * Gamma(2 * rows + 3) * magnitude;
        }, "dW");
        AssertWithin(referenceBiasGrad, cpuBiasGrad, o =>
        {
            double magnitude = Math.Abs(biasGradStart.Span[o]);
            for (int r = 0; r < rows; r++)
            {
                magnitude += Math.Abs(dy.Span[r * outFeatures + o]);
            }
            return withBias ? 2 * Gamma(rows + 1) * magnitude : 0;
        }, "dbias");
    }

    // ---- Softmax ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Both sides add the mask and subtract the same (exact) maximum: the arguments of exp are bit-equal. The exps
    /// differ by 4u relative; their float sum S by 4u + 2·γ_n relative (n = columns); y = e/S (reference, one
    /// rounding) against e·(1/S) (CPU, two): |Δy| ≤ (8u + 2·γ_n + 3u)·y. The CPU takes e^x as 0 below x = −87 (a
    /// subnormal term, under 2⁻¹²⁶ of S ≥ 1), where the reference keeps it: plus 2⁻¹²⁶ absolute. One input lies there.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public void SoftmaxForwardAgrees(bool withMask)
    {
        var random = new Random(16);
        const int Groups = 2, RowsPerMaskRow = 4; // e.g. scores [B = 2, H·Tq = 4, Tk = 13] with a key mask [2, 13]
        var x = Input(random, 3f, Groups * RowsPerMaskRow, Columns);
        x.Span[Columns + 4] = -95f; // e^(−95 − max) is a subnormal float
        Tensor? mask = null;
        if (withMask)
        {
            mask = Input(random, 0f, Groups, Columns);
            mask.Span[2] = mask.Span[Columns + 7] = mask.Span[Columns + 8] = -10000f;
        }
        var (cpu, reference) = Twins(random, float.NaN, Groups * RowsPerMaskRow, Columns);
        TensorKernels.SoftmaxForward(x, mask, RowsPerMaskRow, cpu, Columns);
        ReferenceKernels.SoftmaxForward(x, mask, RowsPerMaskRow, reference, Columns);
        AssertWithin(reference, cpu, i => (11 * U + 2 * Gamma(Columns)) * cpu.Span[i] + Math.Pow(2, -126), "softmax");
    }

    /// <summary>
    /// A NaN anywhere in a row makes the whole row NaN on both sides (through the max or the sum), in the vector part
    /// of the row and in its scalar tail alike; other rows are untouched.
    /// </summary>
    [TestCase(3)]
    [TestCase(11)]
    public void SoftmaxForwardPropagatesNaN(int column)
    {
        var random = new Random(20);
        var x = Input(random, 3f, 2, Columns);
        x.Span[column] = float.NaN;
        var (cpu, reference) = Twins(random, 0f, 2, Columns);
        TensorKernels.SoftmaxForward(x, null, 1, cpu, Columns);
        ReferenceKernels.SoftmaxForward(x, null, 1, reference, Columns);
        for (int c = 0; c < Columns; c++)
        {
            Assert.That(float.IsNaN(cpu.Span[c]) && float.IsNaN(reference.Span[c]), Is.True, $"column {c} of the row with NaN");
            Assert.That(float.IsNaN(cpu.Span[Columns + c]), Is.False, $"column {c} of the other row");
        }
    }

    /// <summary>
    /// dot = ⟨dy, y⟩ summed in another order: |Δdot| ≤ 2·γ_n·Σ|dy·y|. dx₀ + y·dy − y·dot, three terms, at most four
    /// roundings on either side (the reference forms y·(dy − dot)): 2·γ_4·(|dx₀| + |y·dy| + |y·dot|), plus y·|Δdot|.
    /// SoftmaxDropoutBackward: g = dz ⊙ mask is one product on both sides (dz is overwritten with it: bit-equal), then
    /// the same with dx₀ = 0.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public void SoftmaxBackwardAgrees(bool withDropout)
    {
        var random = new Random(17);
        var y = SoftmaxOf(Input(random, 3f, Rows, Columns));
        var dz = Input(random, 1f, Rows, Columns);
        var start = Input(random, 1f, Rows, Columns);

        var (cpu, reference) = CopiesOf(start);
        TensorKernels.SoftmaxBackward(y, dz, cpu, Columns);
        ReferenceKernels.SoftmaxBackward(y, dz, reference, Columns);
        AssertWithin(reference, cpu, i => SoftmaxGradientBound(y, dz, start.Span[i], i), "SoftmaxBackward");

        Tensor? mask = null;
        if (withDropout)
        {
            mask = Tensor.Zeros(Rows, Columns);
            TensorKernels.DropoutForward(Tensor.Zeros(Rows, Columns), 0.3f, 42, mask, Tensor.Zeros(Rows, Columns));
        }
        var (cpuDz, referenceDz) = CopiesOf(dz);
        (cpu, reference) = Twins(random, float.NaN, Rows, Columns);
        TensorKernels.SoftmaxDropoutBackward(y, cpuDz, mask, cpu, Columns);
        ReferenceKernels.SoftmaxDropoutBackward(y, referenceDz, mask, reference, Columns);
        AssertBitEqual(referenceDz, cpuDz, "dz ⊙ mask");
        AssertWithin(reference, cpu, i => SoftmaxGradientBound(y, cpuDz, 0f, i), "SoftmaxDropoutBackward");
    }

    private static double SoftmaxGradientBound(Tensor y, Tensor dy, float start, int index)
    {
        int row = index / Columns;
        double dot = 0, absoluteDot = 0;
        for (int c = 0; c < Columns; c++)
        {
            dot += dy.Span[row * Columns + c] * (double)y.Span[row * Columns + c];
            absoluteDot += Math.Abs(dy.Span[row * Columns + c] * (double)y.Span[row * Columns + c]);
        }
        double yValue = y.Span[index];
        return yValue * 2 * Gamma(Columns) * absoluteDot
            + 2 * Gamma(4) * (Math.Abs(start) + Math.Abs(yValue * dy.Span[index]) + Math.Abs(yValue * dot));
    }

    /// <summary>
    /// logsumexp = max + log S: S differs by ε = 4u + 2·γ_n relative (see <see cref="SoftmaxForwardAgrees"/>), log S by
    /// ε/(1 − ε) absolute plus the two logs' 4u·|log S|; the add max + log S and the subtraction x − lse round once
    /// per side: |Δy| ≤ ε/(1 − ε) + 4u·|log S| + 2u·|lse| + 2u·|y|.
    /// </summary>
    [Test]
    public void LogSoftmaxForwardAgrees()
    {
        var random = new Random(18);
        var x = Input(random, 3f, Rows, Columns);
        var (cpu, reference) = Twins(random, float.NaN, Rows, Columns);
        TensorKernels.LogSoftmaxForward(x, cpu, Columns);
        ReferenceKernels.LogSoftmaxForward(x, reference, Columns);
        AssertWithin(reference, cpu, i =>
        {
            double logSumExp = x.Span[i] - (double)cpu.Span[i];
            return LogSumExpBound(x.Span.Slice(i / Columns * Columns, Columns), logSumExp) + 2 * U * Math.Abs(cpu.Span[i]);
        }, "log-softmax");
    }

    /// <summary>
    /// Σ dy in another order: |ΔΣ| ≤ 2·γ_n·Σ|dy|; exp(y) differs by 4u relative; dx₀ + dy − exp(y)·Σdy, three terms
    /// with at most four roundings: 2·γ_4·(|dx₀| + |dy| + exp(y)·|Σdy|) + exp(y)·(|ΔΣ| + 4u·|Σdy|).
    /// </summary>
    [Test]
    public void LogSoftmaxBackwardAgrees()
    {
        var random = new Random(19);
        var y = Tensor.Zeros(Rows, Columns);
        TensorKernels.LogSoftmaxForward(Input(random, 3f, Rows, Columns), y, Columns);
        var dy = Input(random, 1f, Rows, Columns);
        var start = Input(random, 1f, Rows, Columns);
        var (cpu, reference) = CopiesOf(start);
        TensorKernels.LogSoftmaxBackward(y, dy, cpu, Columns);
        ReferenceKernels.LogSoftmaxBackward(y, dy, reference, Columns);
        AssertWithin(reference, cpu, i =>
        {
            int row = i / Columns;
            double sum = 0, absoluteSum = 0;
            for (int c = 0; c < Columns; c++)
            {
                sum += dy.Span[row * Columns + c];
                absoluteSum += Math.Abs(dy.Span[row * Columns + c]);
            }
            double probability = Math.Exp(y.Span[i]);
            return 2 * Gamma(4) * (Math.Abs(start.Span[i]) + Math.Abs(dy.Span[i]) + probability * Math.Abs(sum))
                + probability * (2 * Gamma(Columns) * absoluteSum + LibraryDifference * Math.Abs(sum));
        }, "log-softmax backward");
    }

    /// <summary>The bound on the difference of two float logsumexps of <paramref name="row"/> (see <see cref="LogSoftmaxForwardAgrees"/>).</summary>
    private static double LogSumExpBound(ReadOnlySpan<float> row, double logSumExp)
    {
        float max = float.NegativeInfinity;
        foreach (float value in row)
        {
            max = Math.Max(max, value);
        }
        double epsilon = LibraryDifference + 2 * Gamma(row.Length);
        return epsilon / (1 - epsilon) + LibraryDifference * Math.Abs(logSumExp - max) + 2 * U * Math.Abs(logSumExp);
    }

    // ---- Layer normalisation ------------------------------------------------------------------------------------

    /// <summary>LayerNorm forward, and the fused residual version with and without dropout: <see cref="LayerNormForwardBounds"/>.</summary>
    [TestCase(7, 13)]
    [TestCase(5, 100)]
    public void LayerNormForwardAgrees(int rows, int columns)
    {
        var random = new Random(20);
        var x = Input(random, 2f, rows, columns);
        for (int i = 0; i < x.Size; i++)
        {
            x.Span[i] += 5f; // a mean far from 0: the centring matters
        }
        var weight = Input(random, 1.5f, columns);
        var bias = Input(random, 0.5f, columns);
        var (cpuY, referenceY) = Twins(random, float.NaN, rows, columns);
        var (cpuMean, referenceMean) = Twins(random, float.NaN, rows);
        var (cpuRstd, referenceRstd) = Twins(random, float.NaN, rows);
        TensorKernels.LayerNormForward(x, weight, bias, 1e-12f, cpuY, cpuMean, cpuRstd);
        ReferenceKernels.LayerNormForward(x, weight, bias, 1e-12f, referenceY, referenceMean, referenceRstd);
        AssertLayerNormForward(x, weight, bias, 1e-12f, (cpuY, referenceY), (cpuMean, referenceMean), (cpuRstd, referenceRstd));
    }

    /// <summary>
    /// sum = Dropout(dense + bias) + residual is the same three roundings on both sides, with the same mask: bit-equal;
    /// then LayerNorm of sum (<see cref="LayerNormForwardBounds"/>). Once with sum = dense itself (in place).
    /// </summary>
    [TestCase(0.3f, false)]
    [TestCase(0f, false)]
    [TestCase(0.3f, true)]
    public void ResidualLayerNormForwardAgrees(float probability, bool inPlace)
    {
        var random = new Random(21);
        bool withDropout = probability > 0;
        var denseStart = Input(random, 2f, Rows, Columns);
        var bias = Input(random, 1f, Columns);
        var residual = Input(random, 2f, Rows, Columns);
        var weight = Input(random, 1.5f, Columns);
        var normBias = Input(random, 0.5f, Columns);
        var (cpuDense, referenceDense) = CopiesOf(denseStart);
        var (cpuMask, referenceMask) = Twins(random, float.NaN, Rows, Columns);
        var (cpuSum, referenceSum) = inPlace ? (cpuDense, referenceDense) : Twins(random, float.NaN, Rows, Columns);
        var (cpuY, referenceY) = Twins(random, float.NaN, Rows, Columns);
        var (cpuMean, referenceMean) = Twins(random, float.NaN, Rows);
        var (cpuRstd, referenceRstd) = Twins(random, float.NaN, Rows);
        TensorKernels.ResidualLayerNormForward(cpuDense, bias, residual, probability, 77, weight, normBias, 1e-12f,
            withDropout ? cpuMask : null, cpuSum, cpuY, cpuMean, cpuRstd);
        ReferenceKernels.ResidualLayerNormForward(referenceDense, bias, residual, probability, 77, weight, normBias, 1e-12f,
            withDropout ? referenceMask : null, referenceSum, referenceY, referenceMean, referenceRstd);
        if (withDropout)
        {
            AssertBitEqual(referenceMask, cpuMask, "mask");
        }
        AssertBitEqual(referenceSum, cpuSum, "sum");
        AssertLayerNormForward(cpuSum, weight, normBias, 1e-12f, (cpuY, referenceY), (cpuMean, referenceMean), (cpuRstd, referenceRstd));
    }

    /// <summary>
    /// The float32 error analysis of y = (x − mean)·rstd·w + b per row of n values, first order (the second-order terms,
    /// O(n²u²) relative, are covered by a factor 1.01):
    /// mean = Σx/n: |Δmean| ≤ 2·γ_n·Σ|x|/n + 2u·|mean|.
    /// var = Σ(x − mean)²/n, n + 3 roundings per path: |Δvar| ≤ 2·γ_(n+3)·var + 3·Δmean² (the mean's error enters
    /// through Σ(x − mean) = n·(exact mean − mean), itself ≤ n·Δmean).
    /// rstd = 1/√(var + eps), three roundings: |Δrstd|/rstd ≤ ½·|Δvar|/(var + eps) + 6u.
    /// x̂ = (x − mean)·rstd: |Δx̂| ≤ Δmean·rstd + |x̂|·|Δrstd|/rstd + 4u·|x̂|.
    /// y = x̂·w + b (fused or not): |Δy| ≤ |w|·|Δx̂| + 2·γ_2·(|x̂·w| + |b|).
    /// </summary>
    private static (double Mean, double Rstd, double[] Y) LayerNormForwardBounds(ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, float eps)
    {
        int n = x.Length;
        double sum = 0, absoluteSum = 0;
        foreach (float value in x)
        {
            sum += value;
            absoluteSum += Math.Abs(value);
        }
        double mean = sum / n;
        double variance = 0;
        foreach (float value in x)
        {
            variance += (value - mean) * (value - mean) / n;
        }
        double rstd = 1 / Math.Sqrt(variance + eps);
        double meanBound = 2 * Gamma(n) * absoluteSum / n + 2 * U * Math.Abs(mean);
        double varianceBound = 2 * Gamma(n + 3) * variance + 3 * meanBound * meanBound;
        double relativeRstdBound = 0.5 * varianceBound / (variance + eps) + 6 * U;
        var y = new double[n];
        for (int c = 0; c < n; c++)
        {
            double normalized = (x[c] - mean) * rstd;
            double normalizedBound = meanBound * rstd + Math.Abs(normalized) * relativeRstdBound + 4 * U * Math.Abs(normalized);
            y[c] = 1.01 * (Math.Abs(weight[c]) * normalizedBound + 2 * Gamma(2) * (Math.Abs(normalized * weight[c]) + Math.Abs(bias[c])));
        }
        return (1.01 * meanBound, 1.01 * relativeRstdBound * rstd, y);
    }

    private static void AssertLayerNormForward(Tensor x, Tensor weight, Tensor bias, float eps, (Tensor Cpu, Tensor Reference) y,
        (Tensor Cpu, Tensor Reference) mean, (Tensor Cpu, Tensor Reference) rstd)
    {
        int columns = weight.Size;
        int rows = x.Size / columns;
        var bounds = Enumerable.Range(0, rows).Select(r => LayerNormForwardBounds(x.Span.Slice(r * columns, columns), weight.Span, bias.Span, eps)).ToArray();
        AssertWithin(mean.Reference, mean.Cpu, r => bounds[r].Mean, "mean");
        AssertWithin(rstd.Reference, rstd.Cpu, r => bounds[r].Rstd, "rstd");
        AssertWithin(y.Reference, y.Cpu, i => bounds[i / columns].Y[i % columns], "y");
    }

    /// <summary>
    /// x̂ = (x − mean)·rstd and g = dy·w are the same roundings on both sides (bit-equal inputs). mean(g) and mean(g·x̂)
    /// are float sums in another order: |Δ| ≤ 2·γ_(n+1)·Σ|term|/n (the product and the division one more rounding).
    /// dx₀ + rstd·(g − mean(g) − x̂·mean(g·x̂)): at most five roundings per side,
    /// 2·γ_5·(|dx₀| + rstd·(|g| + |mean(g)| + |x̂·mean(g·x̂)|)) + rstd·(|Δmean(g)| + |x̂|·|Δmean(g·x̂)|).
    /// The parameter gradients are column sums over the rows (32 row chunks on the CPU): 2·γ_(rows+2)·(|start| + Σ|term|).
    /// </summary>
    [TestCase(7, 13)]
    [TestCase(45, 100)]
    public void LayerNormBackwardAgrees(int rows, int columns)
    {
        var random = new Random(22);
        var (x, weight, mean, rstd, dy) = LayerNormBackwardInputs(random, rows, columns);
        var dxStart = Input(random, 1f, rows, columns);
        var weightGradStart = Input(random, 1f, columns);
        var biasGradStart = Input(random, 1f, columns);
        var (cpuDx, referenceDx) = CopiesOf(dxStart);
        var (cpuWeightGrad, referenceWeightGrad) = CopiesOf(weightGradStart);
        var (cpuBiasGrad, referenceBiasGrad) = CopiesOf(biasGradStart);
        TensorKernels.LayerNormBackward(x, weight, mean, rstd, dy, cpuDx, cpuWeightGrad, cpuBiasGrad);
        ReferenceKernels.LayerNormBackward(x, weight, mean, rstd, dy, referenceDx, referenceWeightGrad, referenceBiasGrad);
        var rowBounds = RowGradientBounds(x, weight, mean, rstd, dy);
        AssertWithin(referenceDx, cpuDx, i => rowBounds[i] + 2 * Gamma(5) * Math.Abs(dxStart.Span[i]), "dx");
        AssertParameterGradients(x, mean, rstd, dy, (cpuWeightGrad, referenceWeightGrad, weightGradStart), (cpuBiasGrad, referenceBiasGrad, biasGradStart));
    }

    /// <summary>
    /// d(sum) as LayerNorm's dx (<see cref="LayerNormBackwardAgrees"/>), added to residualGrad; denseGrad = d(sum)·mask,
    /// one more rounding per side: |mask|·(bound of d(sum)) + 2u·|denseGrad|; the dense bias gradient sums those over
    /// the rows: 2·γ_(rows+1)·(|start| + Σ|denseGrad|) + Σ (their bounds).
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public void ResidualLayerNormBackwardAgrees(bool withDropout)
    {
        var random = new Random(23);
        const int LongRows = 45;
        var (sum, weight, mean, rstd, dy) = LayerNormBackwardInputs(random, LongRows, Columns);
        Tensor? mask = null;
        if (withDropout)
        {
            mask = Tensor.Zeros(LongRows, Columns);
            TensorKernels.DropoutForward(Tensor.Zeros(LongRows, Columns), 0.3f, 5, mask, Tensor.Zeros(LongRows, Columns));
        }
        var residualGradStart = Input(random, 1f, LongRows, Columns);
        var starts = Enumerable.Range(0, 3).Select(_ => Input(random, 1f, Columns)).ToArray();
        var (cpuResidualGrad, referenceResidualGrad) = CopiesOf(residualGradStart);
        var (cpuDenseGrad, referenceDenseGrad) = Twins(random, float.NaN, LongRows, Columns);
        var (cpuWeightGrad, referenceWeightGrad) = CopiesOf(starts[0]);
        var (cpuNormBiasGrad, referenceNormBiasGrad) = CopiesOf(starts[1]);
        var (cpuDenseBiasGrad, referenceDenseBiasGrad) = CopiesOf(starts[2]);
        TensorKernels.ResidualLayerNormBackward(sum, weight, mean, rstd, mask, dy, cpuResidualGrad, cpuDenseGrad,
            cpuWeightGrad, cpuNormBiasGrad, cpuDenseBiasGrad);
        ReferenceKernels.ResidualLayerNormBackward(sum, weight, mean, rstd, mask, dy, referenceResidualGrad, referenceDenseGrad,
            referenceWeightGrad, referenceNormBiasGrad, referenceDenseBiasGrad);

        var rowBounds = RowGradientBounds(sum, weight, mean, rstd, dy);
        AssertWithin(referenceResidualGrad, cpuResidualGrad, i => rowBounds[i] + 2 * Gamma(5) * Math.Abs(residualGradStart.Span[i]), "residualGrad");
        double DenseGradBound(int i) => rowBounds[i] * (mask is null ? 1 : mask.Span[i]) + 2 * U * Math.Abs(cpuDenseGrad.Span[i]);
        AssertWithin(referenceDenseGrad, cpuDenseGrad, DenseGradBound, "denseGrad");
        AssertParameterGradients(sum, mean, rstd, dy, (cpuWeightGrad, referenceWeightGrad, starts[0]), (cpuNormBiasGrad, referenceNormBiasGrad, starts[1]));
        AssertWithin(referenceDenseBiasGrad, cpuDenseBiasGrad, c =>
        {
            double magnitude = Math.Abs(starts[2].Span[c]), differences = 0;
            for (int r = 0; r < LongRows; r++)
            {
                magnitude += Math.Abs(cpuDenseGrad.Span[r * Columns + c]);
                differences += DenseGradBound(r * Columns + c);
            }
            return 2 * Gamma(LongRows + 1) * magnitude + differences;
        }, "denseBiasGrad");
    }

    private static (Tensor X, Tensor Weight, Tensor Mean, Tensor Rstd, Tensor Dy) LayerNormBackwardInputs(Random random, int rows, int columns)
    {
        var x = Input(random, 2f, rows, columns);
        var weight = Input(random, 1.5f, columns);
        var mean = Tensor.Zeros(rows);
        var rstd = Tensor.Zeros(rows);
        TensorKernels.LayerNormForward(x, weight, Input(random, 0.5f, columns), 1e-12f, Tensor.Zeros(rows, columns), mean, rstd);
        return (x, weight, mean, rstd, Input(random, 1f, rows, columns));
    }

    /// <summary>The bound on the difference of the written row gradient rstd·(g − mean(g) − x̂·mean(g·x̂)), per element.</summary>
    private static double[] RowGradientBounds(Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dy)
    {
        int columns = weight.Size;
        int rows = x.Size / columns;
        var bounds = new double[x.Size];
        for (int r = 0; r < rows; r++)
        {
            var normalized = new double[columns];
            var scaledGrad = new double[columns];
            double sumG = 0, sumGX = 0, absoluteG = 0, absoluteGX = 0;
            for (int c = 0; c < columns; c++)
            {
                normalized[c] = (x.Span[r * columns + c] - mean.Span[r]) * rstd.Span[r];
                scaledGrad[c] = dy.Span[r * columns + c] * weight.Span[c];
                sumG += scaledGrad[c];
                sumGX += scaledGrad[c] * normalized[c];
                absoluteG += Math.Abs(scaledGrad[c]);
                absoluteGX += Math.Abs(scaledGrad[c] * normalized[c]);
            }
            double meanG = sumG / columns, meanGX = sumGX / columns;
            double meanGBound = 2 * Gamma(columns + 1) * absoluteG / columns;
            double meanGXBound = 2 * Gamma(columns + 1) * absoluteGX / columns;
            for (int c = 0; c < columns; c++)
            {
                bounds[r * columns + c] = rstd.Span[r] * (meanGBound + Math.Abs(normalized[c]) * meanGXBound)
                    + 2 * Gamma(5) * rstd.Span[r] * (Math.Abs(scaledGrad[c]) + Math.Abs(meanG) + Math.Abs(normalized[c] * meanGX));
            }
        }
        return bounds;
    }

    private static void AssertParameterGradients(Tensor x, Tensor mean, Tensor rstd, Tensor dy,
        (Tensor Cpu, Tensor Reference, Tensor Start) weightGrad, (Tensor Cpu, Tensor Reference, Tensor Start) biasGrad)
    {
        int columns = weightGrad.Start.Size;
        int rows = x.Size / columns;
        AssertWithin(weightGrad.Reference, weightGrad.Cpu, c =>
        {
            double magnitude = Math.Abs(weightGrad.Start.Span[c]);
            for (int r = 0; r < rows; r++)
            {
                magnitude += Math.Abs(dy.Span[r * columns + c] * (x.Span[r * columns + c] - mean.Span[r]) * rstd.Span[r]);
            }
            return 2 * Gamma(rows + 2) * magnitude;
        }, "LayerNorm weight gradient");
        AssertWithin(biasGrad.Reference, biasGrad.Cpu, c =>
        {
            double magnitude = Math.Abs(biasGrad.Start.Span[c]);
            for (int r = 0; r < rows; r++)
            {
                magnitude += Math.Abs(dy.Span[r * columns + c]);
            }
            return 2 * Gamma(rows + 1) * magnitude;
        }, "LayerNorm bias gradient");
    }

    // ---- Cross-entropy ------------------------------------------------------------------------------------------

    private static readonly int[] Targets = [3, CrossEntropyKernels.IgnoreIndex, 0, 12, 12, CrossEntropyKernels.IgnoreIndex, 5, 1, 9];

    /// <summary>
    /// Each row's logsumexp as in <see cref="LogSoftmaxForwardAgrees"/> (the CPU's exps are SIMD, its sum in lanes);
    /// the loss averages lse − logit[target] (one float subtraction per side: 2u·|term|) in double over the kept
    /// rows, so |Δloss| ≤ mean over kept rows of (Δlse + 2u·|term|) + 2·count·2⁻⁵³·mean|term|. The count must be equal.
    /// </summary>
    [Test]
    public void CrossEntropyForwardAgrees()
    {
        var random = new Random(24);
        var logits = Input(random, 3f, Targets.Length, Columns);
        var (cpuLse, referenceLse) = Twins(random, float.NaN, Targets.Length);
        var cpu = TensorKernels.CrossEntropyForward(logits, Targets, cpuLse, Columns);
        var reference = ReferenceKernels.CrossEntropyForward(logits, Targets, referenceLse, Columns);
        double LseBound(int r) => LogSumExpBound(logits.Span.Slice(r * Columns, Columns), cpuLse.Span[r]);
        AssertWithin(referenceLse, cpuLse, LseBound, "logsumexp");
        Assert.That(reference.Count, Is.EqualTo(cpu.Count).And.EqualTo(7));
        double lossBound = 0;
        for (int r = 0; r < Targets.Length; r++)
        {
            if (Targets[r] != CrossEntropyKernels.IgnoreIndex)
            {
                double term = Math.Abs(cpuLse.Span[r] - logits.Span[r * Columns + Targets[r]]);
                lossBound += (LseBound(r) + 2 * U * term + 2 * Targets.Length * Math.Pow(2, -53) * term) / cpu.Count;
            }
        }
        Assert.That(Math.Abs(reference.MeanLoss - cpu.MeanLoss), Is.LessThanOrEqualTo(lossBound), "mean loss");

        // CrossEntropyLoss: the same mean, rounded to float into a one-element tensor, on both sides.
        var (cpuLoss, referenceLoss) = (Tensor.Zeros(1), Tensor.Zeros(1));
        Assert.That(TensorKernels.CrossEntropyLoss(logits, Targets, cpuLse, cpuLoss, Columns), Is.EqualTo(cpu.Count));
        Assert.That(ReferenceKernels.CrossEntropyLoss(logits, Targets, referenceLse, referenceLoss, Columns), Is.EqualTo(cpu.Count));
        Assert.That(cpuLoss.Span[0], Is.EqualTo((float)cpu.MeanLoss));
        Assert.That(referenceLoss.Span[0], Is.EqualTo((float)reference.MeanLoss));

        int[] allIgnored = [CrossEntropyKernels.IgnoreIndex, CrossEntropyKernels.IgnoreIndex];
        var none = ReferenceKernels.CrossEntropyForward(Input(random, 1f, 2, Columns), allIgnored, Tensor.Zeros(2), Columns);
        Assert.That(none, Is.EqualTo((0.0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceKernels.CrossEntropyForward(logits, [.. Targets[..^1], Columns], referenceLse, Columns));
    }

    /// <summary>
    /// scale = dloss/count is the same division on both sides. p = exp(logit − lse): both sides use the same saved lse
    /// (bit-equal arguments), so p differs by 4u relative. dx₀ + scale·p − scale·onehot: at most four roundings per side
    /// (the reference forms scale·(p − onehot)): 2·γ_4·(|dx₀| + |scale·p| + |scale·onehot|) + |scale|·4u·p.
    /// Ignored rows: left alone when accumulating, zeros when written.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public void CrossEntropyBackwardAgrees(bool accumulate)
    {
        var random = new Random(25);
        var logits = Input(random, 3f, Targets.Length, Columns);
        var logSumExp = Tensor.Zeros(Targets.Length);
        var (_, count) = TensorKernels.CrossEntropyForward(logits, Targets, logSumExp, Columns);
        var lossGrad = Tensor.FromValues([1.7f], 1);
        var start = Input(random, accumulate ? 1f : float.NaN, Targets.Length, Columns);
        var (cpu, reference) = CopiesOf(start);
        TensorKernels.CrossEntropyBackward(logits, Targets, logSumExp, lossGrad, count, cpu, Columns, accumulate);
        ReferenceKernels.CrossEntropyBackward(logits, Targets, logSumExp, lossGrad, count, reference, Columns, accumulate);
        double scale = 1.7f / count;
        AssertWithin(reference, cpu, i =>
        {
            int r = i / Columns, target = Targets[r];
            if (target == CrossEntropyKernels.IgnoreIndex)
            {
                return 0; // untouched, or zeros
            }
            double probability = Math.Exp(logits.Span[i] - (double)logSumExp.Span[r]);
            double oneHot = i % Columns == target ? 1 : 0;
            double startValue = accumulate ? Math.Abs(start.Span[i]) : 0;
            return 2 * Gamma(4) * (startValue + scale * probability + scale * oneHot) + scale * LibraryDifference * probability;
        }, accumulate ? "added" : "written");
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------

    /// <summary>Where every test tensor starts inside its array: the kernels must honour <see cref="Tensor.Offset"/>.</summary>
    private const int Padding = 3;

    /// <summary>A view at offset <see cref="Padding"/> of N(0, scale²) values (NaN everywhere when scale is NaN).</summary>
    private static Tensor Input(Random random, float scale, params int[] shape)
    {
        var data = new float[Padding + Tensor.ShapeSize(shape) + Padding];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = float.IsNaN(scale) ? float.NaN : (float)(scale * random.NextGaussian());
        }
        return Tensor.ViewOf(data, Padding, shape);
    }

    /// <summary>Two tensors of the same random values: one for the CPU kernel, one for the reference kernel.</summary>
    private static (Tensor Cpu, Tensor Reference) Twins(Random random, float scale, params int[] shape) =>
        CopiesOf(Input(random, scale, shape));

    /// <summary>Two copies of <paramref name="tensor"/>, the same offset inside copies of its array.</summary>
    private static (Tensor Cpu, Tensor Reference) CopiesOf(Tensor tensor) =>
        (Tensor.ViewOf((float[])tensor.Data.Clone(), tensor.Offset, tensor.ShapeArray()),
         Tensor.ViewOf((float[])tensor.Data.Clone(), tensor.Offset, tensor.ShapeArray()));

    private static Tensor SoftmaxOf(Tensor x)
    {
        var y = Tensor.Zeros(x.ShapeArray());
        TensorKernels.SoftmaxForward(x, null, 1, y, x.Dim(-1));
        return y;
    }

    /// <summary>Every element the same float, bit for bit (NaN where NaN).</summary>
    private static void AssertBitEqual(Tensor reference, Tensor cpu, string what)
    {
        var expected = cpu.Span;
        var actual = reference.Span;
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
            {
                Assert.Fail($"{what}[{i}]: reference {actual[i]:R}, CPU {expected[i]:R}");
            }
        }
    }

    /// <summary>|reference[i] − cpu[i]| ≤ bound(i) for every element (NaN only where both are NaN).</summary>
    private static void AssertWithin(Tensor reference, Tensor cpu, Func<int, double> bound, string what)
    {
        var expected = cpu.Span.ToArray();
        var actual = reference.Span.ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]) && float.IsNaN(actual[i]))
            {
                continue;
            }
            double difference = Math.Abs((double)actual[i] - expected[i]);
            double limit = bound(i);
            if (!(difference <= limit))
            {
                Assert.Fail($"{what}[{i}]: reference {actual[i]:R}, CPU {expected[i]:R}, difference {difference:E3} above the bound {limit:E3}");
            }
        }
    }
}
