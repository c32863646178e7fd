using System.Runtime.InteropServices;
using MiniBioBert.Engine;

namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// Reads BERT parameters out of a checkpoint's safetensors file and checks them against what the caller expects:
/// no tensor missing, none unexpected, shapes equal, floating-point types, and tied copies equal to their ties.
/// </summary>
internal static class CheckpointParameters
{
    /// <summary>A buffer (not a parameter) that older Hugging Face checkpoints store; it is always 0..P−1, so we skip it.</summary>
    private const string PositionIds = "bert.embeddings.position_ids";

    /// <summary>One parameter to load: its name, the shape it must have, and where its values go.</summary>
    public readonly record struct Target(string Name, int[] Shape, Memory<float> Destination);

    /// <summary>
    /// Fills every target from <paramref name="file"/>. <paramref name="shapeSource"/> says where the expected
    /// shapes come from, for error messages (e.g. "config.json").
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not hold exactly the expected parameters.</exception>
    public static void Read(SafeTensorsFile file, IReadOnlyList<Target> targets, string shapeSource)
    {
        var stored = StoredNamesByCanonicalName(file);
        var byName = targets.ToDictionary(t => t.Name);

        var unexpected = stored.Keys.Where(name => !byName.ContainsKey(name) && !IsAcceptedExtra(file, name, stored[name], byName)).ToList();
        if (unexpected.Count > 0)
        {
            throw new InvalidDataException($"{file.Path}: unexpected tensors {ListNames(unexpected)}; they are not parameters of BertForPreTraining as {shapeSource} describes it.");
        }
        var missing = targets.Where(t => !stored.ContainsKey(t.Name)).Select(t => t.Name).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{file.Path}: missing tensors {ListNames(missing)}.");
        }

        foreach (var target in targets)
        {
            var entry = CheckedEntry(file, stored[target.Name], target.Shape, shapeSource);
            file.ReadFloatsInto(entry.Name, target.Destination.Span);
        }
        foreach (var (tied, tie) in BertParameterNames.Ties)
        {
            if (stored.TryGetValue(tied, out string? storedName) && byName.TryGetValue(tie, out var tieTarget))
            {
                var entry = CheckedEntry(file, storedName, tieTarget.Shape, shapeSource);
                if (!BitwiseEqual(file.ReadFloats(entry.Name), tieTarget.Destination.Span))
                {
                    throw new InvalidDataException(
                        $"{file.Path}: tensor '{tied}' differs from '{tie}'; BertForPreTraining ties them, so they must be equal.");
                }
            }
        }
    }

    /// <summary>True when the two spans hold the same bits (so NaN equals NaN and −0 differs from +0).</summary>
    public static bool BitwiseEqual(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        MemoryMarshal.AsBytes(a).SequenceEqual(MemoryMarshal.AsBytes(b));

    /// <summary>
    /// Maps each parameter name to the name stored in the file, translating the legacy LayerNorm names
    /// <c>gamma</c>/<c>beta</c> to <c>weight</c>/<c>bias</c>.
    /// </summary>
    private static Dictionary<string, string> StoredNamesByCanonicalName(SafeTensorsFile file)
    {
        var stored = new Dictionary<string, string>();
        foreach (string name in file.Names)
        {
            string canonical = name.EndsWith(".LayerNorm.gamma", StringComparison.Ordinal) ? name[..^"gamma".Length] + "weight"
                : name.EndsWith(".LayerNorm.beta", StringComparison.Ordinal) ? name[..^"beta".Length] + "bias"
                : name;
            if (!stored.TryAdd(canonical, name))
            {
                throw new InvalidDataException($"{file.Path}: both '{stored[canonical]}' and '{name}' hold parameter '{canonical}'.");
            }
        }
        return stored;
    }

    /// <summary>Tied copies (checked later) and integer position ids may appear besides the targets.</summary>
    private static bool IsAcceptedExtra(SafeTensorsFile file, string name, string storedName, Dictionary<string, Target> byName) =>
        (BertParameterNames.Ties.TryGetValue(name, out string? tie) && byName.ContainsKey(tie))
        || (name == PositionIds && file.Entry(storedName).DType.IsInteger());

    private static SafeTensorsEntry CheckedEntry(SafeTensorsFile file, string storedName, int[] expectedShape, string shapeSource)
    {
        var entry = file.Entry(storedName);
        if (!entry.DType.IsFloatingPoint())
        {
            throw new InvalidDataException($"{file.Path}: tensor '{storedName}' holds {entry.DType.HeaderName()}; a parameter must be floating-point.");
        }
        if (!entry.Shape.SequenceEqual(expectedShape))
        {
            throw new InvalidDataException(
                $"{file.Path}: tensor '{storedName}' has shape {Tensor.FormatShape(entry.Shape)}, but {shapeSource} expects {Tensor.FormatShape(expectedShape)}.");
        }
        return entry;
    }

    private static string ListNames(List<string> names)
    {
        const int shown = 5;
        string list = string.Join(", ", names.Take(shown).Select(n => $"'{n}'"));
        return names.Count > shown ? $"{list} and {names.Count - shown} more" : list;
    }
}
