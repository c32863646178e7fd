using System.Text.Json.Nodes;
using MiniBioBert.Training.Data;
using MiniBioBert.Tests.Training.Data;
using MiniBioBert.Training.Optim;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Tests.Training.Pretraining;

/// <summary>The trainer state of a checkpoint (<c>trainer_state.json</c>) reads back what a run saved, old runs included.</summary>
public class TrainerStateTests
{
    [Test]
    public void StateSavedBeforeTheMaskRateAndTheDecayExistedResumesAtBertsRateAndLinearDecay()
    {
        var folder = TestCorpora.NewFolder();
        try
        {
            var state = new TrainerState
            {
                Step = 3,
                Cursor = DataCursor.Start,
                ScheduleTotalSteps = 10,
                ElapsedSeconds = 1.5,
                Options = new PretrainingOptions { Steps = 10, MaskRate = 0.4, LearningRateDecay = LearningRateDecay.Cosine },
            };
            string path = Path.Combine(folder, TrainerState.FileName);
            state.Save(path);
            Assert.That(File.ReadAllText(path), Does.Contain("\"learning_rate_decay\": \"cosine\""));
            Assert.That(TrainerState.Load(path).Options.MaskRate, Is.EqualTo(0.4));
            Assert.That(TrainerState.Load(path).Options.LearningRateDecay, Is.EqualTo(LearningRateDecay.Cosine));

            // An older run's file has neither "mask_rate" nor "learning_rate_decay".
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.That(json["options"]!.AsObject().Remove("mask_rate"), Is.True);
            Assert.That(json["options"]!.AsObject().Remove("learning_rate_decay"), Is.True);
            File.WriteAllText(path, json.ToJsonString());
            Assert.That(TrainerState.Load(path).Options.MaskRate, Is.EqualTo(PretrainingDataOptions.BertMaskedLmProbability));
            Assert.That(TrainerState.Load(path).Options.LearningRateDecay, Is.EqualTo(LearningRateDecay.Linear));
        }
        finally
        {
            TestCorpora.DeleteFolder(folder);
        }
    }
}
