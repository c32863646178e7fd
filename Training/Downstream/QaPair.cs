namespace MiniBioBert.Training.Downstream;

/// <summary>An answer span of a context: <c>Context[Start..(Start + Text.Length)] == Text</c>.</summary>
internal sealed record QaAnswer(string Text, int Start);

/// <summary>
/// One question with one context (a BioASQ snippet, a SQuAD paragraph). <paramref name="QuestionId"/> groups the pairs
/// of one question: the pair id without its <c>_nnn</c> suffix (BioBERT's preprocessing numbers the snippets so).
/// </summary>
internal sealed record QaPair(string Id, string QuestionId, string Question, string Context, QaAnswer[] Answers);
