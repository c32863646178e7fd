namespace MiniBioBert.Engine.Reference;

internal static partial class ReferenceKernels
{
    /// <summary>output[i, :] = source[indices[i], :] for a source of rows of <paramref name="columns"/>.</summary>
    public static void GatherRows(Tensor source, int[] indices, Tensor output, int columns)
    {
        // source: [tableRows, columns]; indices: [count]; output: [count, columns]
        CheckRowIndices(indices, source.Size / columns, nameof(indices));
        var table = source.Span;
        var rows = output.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            for (int c = 0; c < columns; c++)
            {
                rows[i * columns + c] = table[indices[i] * columns + c];
            }
        }
    }

    /// <summary>destination[indices[i], :] += source[i, :]; repeated indices add up, in the order of i.</summary>
    public static void ScatterAddRows(Tensor source, int[] indices, Tensor destination, int columns)
    {
        // source: [count, columns]; indices: [count]; destination: [tableRows, columns]
        CheckRowIndices(indices, destination.Size / columns, nameof(indices));
        var rows = source.Span;
        var table = destination.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            for (int c = 0; c < columns; c++)
            {
                table[indices[i] * columns + c] += rows[i * columns + c];
            }
        }
    }

    /// <summary>
    /// BERT's embedding sum: sum[r, :] = word[wordIds[r], :] + position[positionIds[r], :] + tokenType[tokenTypeIds[r], :]
    /// for rows of <paramref name="columns"/>, added in that order.
    /// </summary>
    public static void SumOfEmbeddings(Tensor word, int[] wordIds, Tensor position, int[] positionIds, Tensor tokenType, int[] tokenTypeIds,
        Tensor sum, int columns)
    {
        // word: [vocabulary, columns]; position: [maxPositions, columns]; tokenType: [types, columns];
        // the three id arrays: [rows]; sum: [rows, columns]
        CheckRowIndices(wordIds, word.Size / columns, nameof(wordIds));
        CheckRowIndices(positionIds, position.Size / columns, nameof(positionIds));
        CheckRowIndices(tokenTypeIds, tokenType.Size / columns, nameof(tokenTypeIds));
        var words = word.Span;
        var positions = position.Span;
        var tokenTypes = tokenType.Span;
        var output = sum.Span;
        for (int r = 0; r < wordIds.Length; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                output[r * columns + c] = words[wordIds[r] * columns + c] + positions[positionIds[r] * columns + c]
                    + tokenTypes[tokenTypeIds[r] * columns + c];
            }
        }
    }

    /// <summary><see cref="ArgMaxRows"/> of each tensor, one after the other, as floats in one tensor [Σ rows].</summary>
    public static Tensor ArgMaxIndices(params Tensor[] tensors)
    {
        var indices = new List<float>();
        foreach (var x in tensors)
        {
            foreach (int index in ArgMaxRows(x))
            {
                indices.Add(index);
            }
        }
        return Tensor.FromValues([.. indices], indices.Count).To(Device.Reference);
    }

    /// <summary>
    /// The column of each row's largest value of x [rows, columns] (the first on ties). Like
    /// <see cref="System.Numerics.Tensors.TensorPrimitives.IndexOfMax{T}(ReadOnlySpan{T})"/>, a NaN counts as the
    /// largest value and +0 as larger than −0.
    /// </summary>
    public static int[] ArgMaxRows(Tensor x)
    {
        // x: [rows, columns]; result: [rows]
        int columns = x.Dim(-1);
        int rows = x.Size / columns;
        var values = x.Span;
        var result = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int best = 0;
            for (int c = 0; c < columns; c++)
            {
                float value = values[r * columns + c];
                float bestValue = values[r * columns + best];
                if (float.IsNaN(value))
                {
                    best = c;
                    break;
                }
                bool positiveZeroOverNegative = value == 0f && bestValue == 0f && float.IsNegative(bestValue) && !float.IsNegative(value);
                if (value > bestValue || positiveZeroOverNegative)
                {
                    best = c;
                }
            }
            result[r] = best;
        }
        return result;
    }

    /// <summary>
    /// output (+)= input.permute(order): output dimension d is input dimension order[d]; the values are added into
    /// output when <paramref name="accumulate"/> is set (the backward pass), written otherwise.
    /// </summary>
    public static void Permute(Tensor input, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> order, Tensor output, bool accumulate)
    {
        // e.g. input [B, T, H, D], order (0, 2, 1, 3): output [B, H, T, D]
        int rank = inputShape.Length;
        // Row-major strides of the input: inputStrides[d] = product of inputShape[d + 1 ..].
        var inputStrides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            inputStrides[d] = stride;
            stride *= inputShape[d];
        }
        var outputShape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            outputShape[d] = inputShape[order[d]];
        }
        int count = stride; // elements in the tensor
        var source = input.Span;
        var destination = output.Span;
        for (int outputPosition = 0; outputPosition < count; outputPosition++)
        {
            // Split the flat output position into the output index (last dimension fastest); output index d is
            // input index order[d], which lies inputStrides[order[d]] floats apart in the input.
            int remainder = outputPosition;
            int inputPosition = 0;
            for (int d = rank - 1; d >= 0; d--)
            {
                int index = remainder % outputShape[d];
                remainder /= outputShape[d];
                inputPosition += index * inputStrides[order[d]];
            }
            float value = source[inputPosition];
            destination[outputPosition] = accumulate ? destination[outputPosition] + value : value;
        }
    }

    /// <summary>Each index must name a row of the table, which has <paramref name="tableRows"/> rows.</summary>
    private static void CheckRowIndices(int[] indices, int tableRows, string parameterName)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)tableRows)
            {
                throw new ArgumentOutOfRangeException(parameterName, $"Index {indices[i]} at position {i} is outside the {tableRows} rows of the table.");
            }
        }
    }
}
