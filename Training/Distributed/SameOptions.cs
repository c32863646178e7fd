namespace MiniBioBert.Training.Distributed;

/// <summary>
/// The start of a data-parallel run: every rank must have been given the same options (mpirun can start different
/// command lines, <c>mpirun -np 1 … : -np 1 …</c>), or the ranks would train different models or wait forever for
/// each other. Rank 0 sends its options; every rank compares them with its own; the first difference of each rank
/// is summed over the ranks, so that all of them refuse together, naming the rank and the option.
/// </summary>
internal static class SameOptions
{
    /// <summary>Throws <see cref="ArgumentException"/> on every rank when some rank's (name, value) pairs differ from rank 0's.</summary>
    public static void Check(ProcessGroup group, IReadOnlyList<(string Name, string Value)> options)
    {
        if (group.Size == 1)
        {
            return;
        }
        string[] rankZero = group.BroadcastFromRankZero(string.Join('\n', options.Select(Line))).Split('\n');

        // firstDifference[r]: 1 + the index of rank r's first option that differs from rank 0's, 0 when none does.
        var firstDifference = new double[group.Size];
        int mine = Enumerable.Range(0, options.Count).FirstOrDefault(i => i >= rankZero.Length || Line(options[i]) != rankZero[i], -1);
        firstDifference[group.Rank] = mine + 1;
        group.SumInPlace(firstDifference);

        for (int rank = 1; rank < group.Size; rank++)
        {
            if (firstDifference[rank] > 0)
            {
                var (name, _) = options[(int)firstDifference[rank] - 1];
                throw new ArgumentException($"rank {rank} was started with another {name} than rank 0; " +
                    $"every rank of a data-parallel run must get the same options (rank 0: {rankZero[(int)firstDifference[rank] - 1]}).");
            }
        }
    }

    private static string Line((string Name, string Value) option) => $"{option.Name} {option.Value}";
}
