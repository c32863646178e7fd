using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Optim;
using MiniBioBert.Training.Pretraining;
using MiniBioBert.Training.Reporting;
using Spectre.Console;

namespace MiniBioBert.Tests.Training.Pretraining;

/// <summary>
/// A tiny pretraining setup in a temp folder: a synthetic corpus whose sentences follow simple patterns (so there is
/// something to learn), its word-level vocabulary, and a 2-layer model of hidden size 32.
/// </summary>
internal sealed class TinyPretrainingRun : IDisposable
{
    private const int Words = 20;

    public TinyPretrainingRun()
    {
        Folder = Path.Combine(Path.GetTempPath(), "minibiobert-pretraining-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        CorpusPath = Path.Combine(Folder, "corpus.txt");
        File.WriteAllText(CorpusPath, CorpusText());
        VocabPath = Path.Combine(Folder, "vocab.txt");
        Vocabulary.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Enumerable.Range(0, Words).Select(i => $"w{i}")]).Save(VocabPath);
    }

    public string Folder { get; }

    public string CorpusPath { get; }

    public string VocabPath { get; }

    public string RunDirectory => Path.Combine(Folder, "run");

    /// <summary>Options of a run of <paramref name="steps"/> steps on the tiny model.</summary>
    public PretrainingOptions Options(long steps, string? runDirectory = null) => new()
    {
        Model = new BertConfig
        {
            VocabSize = Words + 5,
            HiddenSize = 32,
            NumHiddenLayers = 2,
            NumAttentionHeads = 2,
            IntermediateSize = 64,
            MaxPositionEmbeddings = 32,
        },
        Corpus = [CorpusPath],
        BatchSize = 8,
        HeldOutFraction = 0.25,
        MaxSequenceLength = 32,
        PeakLearningRate = 2e-2,
        Warmup = 0.1,
        Steps = steps,
        EvalEvery = 20,
        EvalBatches = 4,
        CheckpointEvery = 20,
        Keep = 2,
        Seed = 7,
        OutputDirectory = runDirectory ?? RunDirectory,
    };

    public static PretrainingDataset OpenData(PretrainingOptions options, string vocabPath) =>
        PretrainingData.Open(options, vocabPath, cacheDirectory: null, log: null);

    /// <summary>A trainer starting from fresh weights; its console output goes to <paramref name="log"/>.</summary>
    public PretrainingTrainer NewTrainer(PretrainingOptions options, StringWriter log, TimeProvider? clock = null) =>
        new(new BertForPreTraining(options.Model, options.Seed), OpenData(options, VocabPath), VocabPath, options, Dashboard(log), clock: clock);

    /// <summary>A trainer resuming from the latest checkpoint of <paramref name="runDirectory"/>.</summary>
    public static PretrainingTrainer ResumeTrainer(string runDirectory, StringWriter log)
    {
        string checkpoint = RunCheckpoints.Latest(runDirectory);
        var state = TrainerState.Load(Path.Combine(checkpoint, TrainerState.FileName));
        string vocab = CheckpointDirectory.VocabPath(checkpoint);
        return new PretrainingTrainer(BertForPreTraining.Load(checkpoint), OpenData(state.Options, vocab), vocab, state.Options,
            Dashboard(log), state, AdamWStateFile.Load(Path.Combine(checkpoint, RunCheckpoints.OptimizerFileName)));
    }

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static TrainingDashboard Dashboard(StringWriter log) => new(AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        Interactive = InteractionSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(log),
    }));

    /// <summary>160 documents of 4–8 sentences; each sentence counts up (w5 w6 w7 …) from one of three words near the
    /// document's topic word, so masked words are predictable from their neighbours and even from their frequency.</summary>
    private static string CorpusText()
    {
        var random = new Random(3);
        var text = new System.Text.StringBuilder();
        for (int d = 0; d < 160; d++)
        {
            int topic = random.Next(Words);
            for (int s = random.Next(4, 9); s > 0; s--)
            {
                int start = (topic + random.Next(3)) % Words;
                int length = random.Next(5, 10);
                text.AppendLine(string.Join(' ', Enumerable.Range(0, length).Select(i => $"w{(start + i) % Words}")));
            }
            text.AppendLine();
        }
        return text.ToString();
    }
}
