using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Training.Optim;

namespace MiniBioBert.Tests.Training.Pretraining;

/// <summary>
/// AdamW, the learning-rate schedule and gradient clipping together against torch.optim.AdamW trajectories
/// (Tests/Fixtures/adamw.safetensors; see Tests/Reference/README.md). Parameters: w [5,7] with weight decay 0.1 and
/// b [7] without, laid out back to back in one flat buffer as the trainer does.
/// </summary>
public class AdamWPyTorchParityTests
{
    // Float32 updates of values of order 1 against a float64 reference over ≤ 6 steps: ~1e-7 relative per step.
    private const double Tolerance = 1e-5;

    private static readonly ParameterSegment[] Segments = [new(0, 35, Decay: true), new(35, 7, Decay: false)];

    private static AdamW NewOptimizer(SafeTensorsFile file) => new(Segments, new AdamWOptions
    {
        Beta1 = double.Parse(file.Metadata["beta1"], System.Globalization.CultureInfo.InvariantCulture),
        Beta2 = double.Parse(file.Metadata["beta2"], System.Globalization.CultureInfo.InvariantCulture),
        Epsilon = double.Parse(file.Metadata["eps"], System.Globalization.CultureInfo.InvariantCulture),
        WeightDecay = 0.1,
    });

    private static float[] Flat(SafeTensorsFile file, string w, string b) => [.. file.ReadFloats(w), .. file.ReadFloats(b)];

    [Test]
    public void ConstantLearningRateMatchesPyTorch()
    {
        using var file = TestData.OpenFixture("adamw.safetensors");
        var optimizer = NewOptimizer(file);
        float[] parameters = Flat(file, "w.0", "b.0");
        for (int t = 1; t <= 3; t++)
        {
            optimizer.Step(parameters, Flat(file, $"grad_w.{t}", $"grad_b.{t}"), 1e-2);
            TestData.AssertClose(parameters, Flat(file, $"w.{t}", $"b.{t}"), Tolerance, $"parameters after step {t}");
        }
        TestData.AssertClose(optimizer.FirstMoment, Flat(file, "exp_avg_w.3", "exp_avg_b.3"), Tolerance, "exp_avg");
        TestData.AssertClose(optimizer.SecondMoment, Flat(file, "exp_avg_sq_w.3", "exp_avg_sq_b.3"), Tolerance, "exp_avg_sq");
    }

    [Test]
    public void ScheduleAndClippingMatchPyTorch()
    {
        using var file = TestData.OpenFixture("adamw.safetensors");
        var optimizer = NewOptimizer(file);
        var schedule = new LearningRateSchedule(1e-2, warmupSteps: 2, totalSteps: 6);
        float[] parameters = Flat(file, "clip.w.0", "clip.b.0");
        float[] lrUsed = file.ReadFloats("lr_schedule");
        for (int t = 1; t <= 6; t++)
        {
            float[] gradients = Flat(file, $"clip.grad_w.{t}", $"clip.grad_b.{t}");
            double norm = GradientClipping.ClipByGlobalNorm(gradients, 1.0);
            Assert.That(norm, Is.EqualTo(file.ReadFloats($"clip.grad_norm.{t}")[0]).Within(1e-5).Percent, $"norm of step {t}");
            TestData.AssertClose(gradients, Flat(file, $"clip.clipped_grad_w.{t}", $"clip.clipped_grad_b.{t}"), Tolerance, $"clipped gradients of step {t}");

            double lr = schedule.LearningRate(optimizer.StepCount);
            Assert.That(lr, Is.EqualTo(lrUsed[t - 1]).Within(1e-9), $"lr of step {t}");
            optimizer.Step(parameters, gradients, lr);
            TestData.AssertClose(parameters, Flat(file, $"clip.w.{t}", $"clip.b.{t}"), Tolerance, $"parameters after step {t}");
        }
    }
}
