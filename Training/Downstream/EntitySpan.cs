namespace MiniBioBert.Training.Downstream;

/// <summary>An entity: words [<see cref="Start"/>, <see cref="End"/>) of one sentence, of one type.</summary>
internal readonly record struct EntitySpan(int Start, int End, string Type);
