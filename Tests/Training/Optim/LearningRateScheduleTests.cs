using MiniBioBert.Training.Optim;

namespace MiniBioBert.Tests.Training.Optim;

public class LearningRateScheduleTests
{
    // Exact ratios of small integers times 1e-3: compared to 1e-15 (double rounding only).
    private const double Tolerance = 1e-15;

    [TestCase(0, 0.0)]
    [TestCase(1, 1e-4)]
    [TestCase(9, 9e-4)]
    [TestCase(10, 1e-3)]
    [TestCase(55, 0.5e-3)]
    [TestCase(99, 1e-3 / 90)]
    [TestCase(100, 0.0)]
    [TestCase(150, 0.0)]
    public void WarmupThenLinearDecayAsHuggingFace(long completedSteps, double expected)
    {
        var schedule = new LearningRateSchedule(1e-3, warmupSteps: 10, totalSteps: 100);
        Assert.That(schedule.LearningRate(completedSteps), Is.EqualTo(expected).Within(Tolerance));
    }

    // Hugging Face's get_cosine_schedule_with_warmup (half a cycle): cos(π/3) = ½ and cos(2π/3) = −½ exactly, so the
    // rates are the same ratios to within double rounding of cos.
    [TestCase(5, 0.5e-3)]
    [TestCase(10, 1e-3)]
    [TestCase(40, 0.75e-3)]
    [TestCase(55, 0.5e-3)]
    [TestCase(70, 0.25e-3)]
    [TestCase(100, 0.0)]
    [TestCase(150, 0.0)]
    public void WarmupThenCosineDecayAsHuggingFace(long completedSteps, double expected)
    {
        var schedule = new LearningRateSchedule(1e-3, warmupSteps: 10, totalSteps: 100, LearningRateDecay.Cosine);
        Assert.That(schedule.LearningRate(completedSteps), Is.EqualTo(expected).Within(Tolerance));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void WarmupOverEveryStepEndsAtZero(bool cosine)
    {
        var decay = cosine ? LearningRateDecay.Cosine : LearningRateDecay.Linear;
        var schedule = new LearningRateSchedule(1e-3, warmupSteps: 4, totalSteps: 4, decay);
        Assert.That(schedule.LearningRate(3), Is.EqualTo(0.75e-3).Within(Tolerance));
        Assert.That(schedule.LearningRate(4), Is.EqualTo(0.0));
    }

    [Test]
    public void NoWarmupStartsAtThePeak()
    {
        var schedule = new LearningRateSchedule(2e-3, warmupSteps: 0, totalSteps: 4);
        Assert.That(schedule.LearningRate(0), Is.EqualTo(2e-3));
        Assert.That(schedule.LearningRate(3), Is.EqualTo(0.5e-3).Within(Tolerance));
    }

    [Test]
    public void InvalidArgumentsAreRejected()
    {
        Assert.That(() => new LearningRateSchedule(0, 1, 10), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new LearningRateSchedule(1e-3, 11, 10), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new LearningRateSchedule(1e-3, 0, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new LearningRateSchedule(1e-3, 1, 10).LearningRate(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
