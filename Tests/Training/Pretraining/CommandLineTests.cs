using System.Text.Json;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Training.Pretraining;

public class CommandLineTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandRunner.Invoke(MiniBioBert.Training.Program.CreateRootCommand(), args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// The float32 forward pass against PyTorch's float64 one. A float32 dot product of length k, summed in any order
    /// (the AVX2 and AVX-512 GEMMs sum in different orders), is within γ_k ≈ k·u of the exact value relative to
    /// Σ|aᵢbᵢ|, u = 2⁻²⁴. Along the longest path of the tiny model (hidden 16, head size 8, FFN 28, T ≤ 20, 2 layers)
    /// the lengths of the products add up to k ≈ 2·(16 + 8 + 20 + 16 + 16 + 28) + 2·16 ≈ 240; each layer ends in a
    /// LayerNorm, so the relative errors add rather than multiply: 240·u ≈ 1.4e-5. Measured: 1.6e-7 (AVX2) and below.
    /// </summary>
    private const double LossRelativeTolerance = 240 * 5.96e-8;

    [Test]
    public void LossCommandMatchesPyTorchOnTheTinyBertFixture()
    {
        string grads = Path.Combine(Path.GetTempPath(), $"tiny-bert-grads-{Guid.NewGuid():N}.safetensors");
        try
        {
            var (code, output, error) = Run("loss", "--checkpoint", TestData.FixturePath("tiny_bert"),
                "--batch", TestData.FixturePath("tiny_bert_batch.safetensors"), "--grads", grads);
            Assert.That(code, Is.EqualTo(0), error);

            using var expected = TestData.OpenFixture("tiny_bert_expected.safetensors");
            using var json = JsonDocument.Parse(output);
            foreach (string name in new[] { "loss", "mlm_loss", "nsp_loss", "mlm_accuracy", "nsp_accuracy" })
            {
                double value = json.RootElement.GetProperty(name).GetDouble();
                Assert.That(value, Is.EqualTo(expected.ReadFloats(name)[0]).Within(LossRelativeTolerance * 100).Percent, name);
            }

            using var written = SafeTensorsFile.Open(grads);
            Assert.That(written.Names.Count(), Is.EqualTo(expected.Names.Count(n => n.StartsWith("grad.", StringComparison.Ordinal))));
            foreach (string name in written.Names)
            {
                float[] reference = expected.ReadFloats("grad." + name);
                float[] actual = written.ReadFloats(name);
                if (name.EndsWith("attention.self.key.bias", StringComparison.Ordinal))
                {
                    // Mathematically zero (softmax ignores a per-row constant); float32 noise only.
                    Assert.That(actual.Max(Math.Abs), Is.LessThan(1e-6), name);
                    continue;
                }
                // The brief's bound: 1e-4 normwise relative (float32 vs float64 reference).
                TestData.AssertClose(actual, reference, 1e-4, name);
            }
        }
        finally
        {
            File.Delete(grads);
        }
    }

    [TestCase("train", "--batch", "0", "--steps", "1")]
    [TestCase("train", "--time-budget", "ten minutes")]
    [TestCase("train", "--device", "cuda")]
    [TestCase("train", "--lr", "abc")]
    [TestCase("train", "--mask-rate", "0", "--steps", "1")]
    [TestCase("train", "--lr-decay", "exponential", "--steps", "1")]
    [TestCase("train", "--short-seq-length", "48", "--steps", "1")]
    [TestCase("train", "--short-seq-length", "64", "--short-seq-fraction", "1", "--steps", "1")]
    [TestCase("train", "--ramp-batch", "32", "--steps", "1")]
    [TestCase("train", "--ramp-batch", "16", "--ramp-fraction", "0", "--steps", "1")]
    [TestCase("train", "--ramp-batch", "16", "--short-seq-length", "64", "--steps", "1")]
    [TestCase("train", "--ramp-batch", "16")]
    [TestCase("--no-such-option")]
    [TestCase("eval", "--checkpoint", "/no/such/checkpoint")]
    [TestCase("loss", "--checkpoint", "/no/such/checkpoint", "--batch", "b", "--grads", "g")]
    [TestCase("inspect", "tokens", "--text", "x", "--vocab", "/no/such/vocab.txt")]
    [TestCase("train", "--resume")]
    public void BadArgumentsGiveOneLineErrorsAndNoStackTrace(params string[] args)
    {
        var (code, _, error) = Run(args);
        Assert.That(code, Is.AnyOf(1, 2));
        Assert.That(error, Does.StartWith("error: "));
        Assert.That(error, Does.Not.Contain("   at "));
    }

    [Test]
    public void HelpListsTheCommands()
    {
        var (code, output, _) = Run("--help");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("train").And.Contain("eval").And.Contain("loss").And.Contain("tokenizer").And.Contain("inspect"));
    }

    [TestCase("90s", 90)]
    [TestCase("20m", 1200)]
    [TestCase("1h30m", 5400)]
    [TestCase("2.5m", 150)]
    public void DurationsParse(string text, double seconds) =>
        Assert.That(DurationText.Parse(text).TotalSeconds, Is.EqualTo(seconds));
}
