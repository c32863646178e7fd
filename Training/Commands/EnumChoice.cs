using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Commands;

/// <summary>Reads an option whose words name the values of an enum, in the enum's order.</summary>
internal static class EnumChoice
{
    /// <summary>
    /// The value whose word (case-insensitive) is <paramref name="text"/>; otherwise an <see cref="ArgumentException"/>
    /// that names <paramref name="option"/>, the accepted words and the bad one.
    /// </summary>
    public static TEnum Parse<TEnum>(string option, string text, IReadOnlyList<string> names) where TEnum : struct, Enum
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(text, names[i], StringComparison.OrdinalIgnoreCase))
            {
                return (TEnum)Enum.ToObject(typeof(TEnum), i);
            }
        }
        throw new ArgumentException($"{option} must be {string.Join(" or ", names)}, not '{InputText.Quote(text)}'.");
    }
}
