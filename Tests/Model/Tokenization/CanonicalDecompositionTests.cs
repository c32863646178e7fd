using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Tests.Model.Tokenization;

public class CanonicalDecompositionTests
{
    private static int[] Nfd(params int[] input)
    {
        var output = new CodePointBuffer();
        CanonicalDecomposition.Decompose(input, output);
        return output.AsSpan().ToArray();
    }

    [Test]
    public void DecomposesRecursively() =>
        // ǖ U+01D6 = ü + macron = u + U+0308 + U+0304.
        Assert.That(Nfd(0x01D6), Is.EqualTo(new[] { 'u', 0x0308, 0x0304 }));

    [Test]
    public void SortsCombiningMarksByClass() =>
        // a + acute (class 230) + dot below (class 220) → dot below first.
        Assert.That(Nfd('a', 0x0301, 0x0323), Is.EqualTo(new[] { 'a', 0x0323, 0x0301 }));

    [Test]
    public void DecomposesHangulByFormula() =>
        Assert.That(Nfd(0xAC00, 0xD7A3), Is.EqualTo(new[] { 0x1100, 0x1161, 0x1112, 0x1175, 0x11C2 }));

    [Test]
    public void StringNormalizeIsANoOpUnderInvariantGlobalization() =>
        // The reason this project carries its own NFD tables: with InvariantGlobalization the BCL returns the input.
        Assert.That("é".Normalize(System.Text.NormalizationForm.FormD), Has.Length.EqualTo(1));
}
