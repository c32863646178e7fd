using MiniBioBert.Training.Reporting;
using Spectre.Console;

namespace MiniBioBert.Tests.Training.Reporting;

public class TrainingDashboardTests
{
    private static IAnsiConsole Console(StringWriter writer, bool interactive) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = interactive ? AnsiSupport.Yes : AnsiSupport.No,
        Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        ColorSystem = interactive ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(writer),
    });

    private static TrainingProgress Progress(long step) => new()
    {
        Step = step,
        TotalSteps = 100,
        Epoch = 0.5,
        Loss = 7.25,
        MlmAccuracy = 0.125,
        NspAccuracy = 0.5,
        LearningRate = 1e-4,
        TokensPerSecond = 12345,
        Elapsed = TimeSpan.FromSeconds(3725),
    };

    [Test]
    public void RedirectedOutputGetsThrottledPlainLines()
    {
        var writer = new StringWriter();
        using var dashboard = new TrainingDashboard(Console(writer, interactive: false), plainLineInterval: TimeSpan.FromHours(1));
        Assert.That(dashboard.IsInteractive, Is.False);

        dashboard.Update(Progress(10));
        dashboard.Update(Progress(11)); // within the interval: skipped
        dashboard.Log("evaluation done");
        dashboard.Update(Progress(100)); // the last step always shows

        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines[0], Is.EqualTo(
            "step 10/100 (10.0%) | epoch 0.50 | loss 7.2500 | mlm_acc 0.1250 | nsp_acc 0.5000 | lr 1.00e-04"
            + " | 12,345 tok/s | elapsed 1:02:05 | ETA –"));
        Assert.That(lines[1], Is.EqualTo("evaluation done"));
        Assert.That(lines[2], Does.StartWith("step 100/100 (100.0%)").And.EndWith("ETA 0:00:00"));
    }

    [Test]
    public void SummaryTableListsTheGivenFigures()
    {
        var writer = new StringWriter();
        using var dashboard = new TrainingDashboard(Console(writer, interactive: false));
        dashboard.Summary(new TrainingSummary { Steps = 100, Elapsed = TimeSpan.FromMinutes(90), FinalEvalLoss = 3.5, RunDirectory = "runs/[demo]" });
        string text = writer.ToString();
        Assert.That(text, Does.Contain("Training summary").And.Contain("1:30:00").And.Contain("3.5000").And.Contain("runs/[demo]"));
        Assert.That(text, Does.Not.Contain("Final train loss"));
    }

    [Test]
    public void InteractiveConsoleDrawsTheLiveViewAndSummary()
    {
        var writer = new StringWriter();
        using (var dashboard = new TrainingDashboard(Console(writer, interactive: true)))
        {
            Assert.That(dashboard.IsInteractive, Is.True);
            dashboard.Update(Progress(10));
            dashboard.Log("checkpoint saved");
            dashboard.Update(Progress(100));
            dashboard.Summary(new TrainingSummary { Steps = 100, Elapsed = TimeSpan.FromSeconds(5) });
        }
        string text = writer.ToString();
        Assert.That(text, Does.Contain("step 100/100").And.Contain("MLM acc").And.Contain("checkpoint saved").And.Contain("Training summary"));
    }
}
