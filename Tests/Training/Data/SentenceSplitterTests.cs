using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

public class SentenceSplitterTests
{
    [Test]
    public void SplitsAtSentenceEndsButNotAfterAbbreviationsOrInitials()
    {
        var text = "We used aspirin, e.g. Bayer brand. Results were good.  As shown by Smith et al. In 2001 the rate fell. " +
            "See Fig. 2 for details! 10 patients died. Was it J. Smith? Yes. the value was 3.5 mg.";
        Assert.That(SentenceSplitter.Split(text), Is.EqualTo(new[]
        {
            "We used aspirin, e.g. Bayer brand.",
            "Results were good.",
            "As shown by Smith et al. In 2001 the rate fell.",
            "See Fig. 2 for details!",
            "10 patients died.",
            "Was it J. Smith?",
            "Yes. the value was 3.5 mg.",
        }));
    }

    [Test]
    public void BlankTextHasNoSentences() => Assert.That(SentenceSplitter.Split("   "), Is.Empty);
}
