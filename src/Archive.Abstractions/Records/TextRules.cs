using System.Globalization;
using System.Text;

namespace Archive.Records;

/// <summary>
/// Character rules shared by every text field of the records model: invisible characters — zero-width characters
/// (U+200B..U+200D, U+2060, U+FEFF), bidirectional controls (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), every
/// other Unicode format character (category Cf, e.g. the soft hyphen U+00AD) and C0/C1 control characters (NUL
/// included) — are refused, so that two values that look the same on screen cannot be two different codes, names or
/// titles. Multi-line fields (descriptions, notes) may hold line breaks and tabs.
/// </summary>
/// <remarks>
/// Refused rather than silently removed: the clerk sees which field and which position holds the character (usually
/// pasted from a word processor) and the stored text is exactly what was sent. Text is compared in NFC, which the
/// engine already applies to every stored text.
/// </remarks>
public static class TextRules
{
    /// <summary>Rule id of an invisible, bidirectional or control character in a text field.</summary>
    public const string InvisibleCharacter = "text.invisible-character";

    /// <summary>Whether <paramref name="rune"/> is refused in text (in a multi-line field, CR, LF and TAB are allowed).</summary>
    public static bool IsInvisible(Rune rune, bool multiline = false)
    {
        if (multiline && (rune.Value is '\n' or '\r' or '\t'))
        {
            return false;
        }

        var category = Rune.GetUnicodeCategory(rune);
        return category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            || rune.Value is 0x180E or 0x2028 or 0x2029; // Mongolian vowel separator (formerly Cf), line/paragraph separators
    }

    /// <summary>The first refused character of <paramref name="value"/>, or null when there is none.</summary>
    /// <returns>Its UTF-16 index and code point.</returns>
    public static (int Index, int CodePoint)? FindInvisible(string? value, bool multiline = false)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        for (var i = 0; i < value.Length;)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return (i, value[i]); // a lone surrogate
            }

            if (IsInvisible(rune, multiline))
            {
                return (i, rune.Value);
            }

            i += used;
        }

        return null;
    }

    /// <summary>Adds a <see cref="InvisibleCharacter"/> error naming <paramref name="field"/> when the value holds a refused character.</summary>
    /// <returns>True when the value is clean.</returns>
    public static bool Check(List<ValidationError> errors, string field, string? value, bool multiline = false)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (FindInvisible(value, multiline) is not { } hit)
        {
            return true;
        }

        errors.Add(Error(field, hit.Index, hit.CodePoint));
        return false;
    }

    /// <summary>The error for a refused character at <paramref name="index"/>.</summary>
    public static ValidationError Error(string field, int index, int codePoint)
        => new(field, InvisibleCharacter, string.Create(CultureInfo.InvariantCulture, $"{field} contains the invisible or control character U+{codePoint:X4} at position {index + 1} (often pasted from a word processor); remove it."));
}
