using System.Globalization;
using System.Text;

namespace Archive.Search;

/// <summary>
/// The Vietnamese character rules both search engines index and query with: Unicode NFC, one tone-mark placement
/// (<c>hòa</c>/<c>hoà</c> → <c>hoà</c>), and diacritics folding (<c>đ</c> → <c>d</c>, <c>ồ</c> → <c>o</c>, combining
/// marks dropped). The folding table is the base letter of the canonical decomposition for U+0080–U+024F and
/// U+1E00–U+1EFF, plus <c>đ Đ ð Ð</c> (narrower than a generic ASCII folding: other scripts are left alone).
/// </summary>
/// <remarks>
/// The embedded Lucene engine applies these in its analyzers; the Elasticsearch engine compiles the same tables into
/// <c>mapping</c> char filters. Any change here changes the indexed terms of both: rebuild the indexes.
/// </remarks>
public static class VietnameseFolding
{
    // Folding table for U+0000..U+024F and U+1E00..U+1EFF: the base letter, or '\0' for "drop" (combining marks).
    private static readonly char[] LatinFold = BuildFoldTable(0x0000, 0x0250);
    private static readonly char[] LatinExtendedAdditionalFold = BuildFoldTable(0x1E00, 0x1F00);

    /// <summary>The five Vietnamese tone marks as combining characters: grave, acute, hook above, tilde, dot below.</summary>
    public static IReadOnlyList<char> ToneMarks { get; } = ['\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];

    // o/u with one of the five tone marks → (tone index); the vowel that receives the tone in the canonical form.
    private static readonly Dictionary<char, (char Base, char Tone)> ToneOnVowel = BuildToneMap();
    private static readonly Dictionary<(char Base, char Tone), char> Compose = ToneOnVowel.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>Whether <paramref name="text"/> contains a letter with a diacritic (including <c>đ</c>) or a combining mark.</summary>
    public static bool HasDiacritics(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c >= 0x80 && Fold(c) != c)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes diacritics: <c>Đồng</c> → <c>Dong</c>, <c>lưu trữ</c> → <c>luu tru</c>. Case is kept.</summary>
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var span = text.AsSpan();
        var i = 0;
        while (i < span.Length && (span[i] < 0x80 || Fold(span[i]) == span[i]))
        {
            i++;
        }

        if (i == span.Length)
        {
            return text;
        }

        var buffer = span.Length <= 256 ? stackalloc char[span.Length] : new char[span.Length];
        var n = Fold(span, buffer);
        return new string(buffer[..n]);
    }

    /// <summary>Folds <paramref name="source"/> into <paramref name="destination"/> (at least as long); returns the length written.</summary>
    public static int Fold(ReadOnlySpan<char> source, Span<char> destination)
    {
        var n = 0;
        foreach (var c in source)
        {
            var f = Fold(c);
            if (f != '\0')
            {
                destination[n++] = f;
            }
        }

        return n;
    }

    /// <summary>The folded form of one character; <c>'\0'</c> for a combining mark that folding drops.</summary>
    public static char Fold(char c)
    {
        if (c < 0x250)
        {
            return c < 0x80 ? c : LatinFold[c];
        }

        if (c is >= '\u0300' and <= '\u036F')
        {
            return '\0';
        }

        return c is >= '\u1E00' and <= '\u1EFF' ? LatinExtendedAdditionalFold[c - 0x1E00] : c;
    }

    /// <summary>
    /// Normalises a word: NFC, then the tone mark of a final <c>oa</c>, <c>oe</c>, <c>uy</c> is put on the last vowel
    /// (<c>hòa</c> and <c>hoà</c> → <c>hoà</c>, <c>thủy</c> → <c>thuỷ</c>), so that both spelling conventions match exactly.
    /// </summary>
    public static string NormalizeWord(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var nfc = NeedsNfc(word) ? word.Normalize(NormalizationForm.FormC) : word;
        if (nfc.Length < 2)
        {
            return nfc;
        }

        var chars = nfc.ToCharArray();
        return CanonicalizeTone(chars) ? new string(chars) : nfc;
    }

    /// <summary>Whether <paramref name="text"/> may not be in NFC (cheap test; false means it certainly is NFC).</summary>
    public static bool NeedsNfc(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            // Vietnamese letters are precomposed below U+0300 or in U+1EA0..U+1EF9; anything else takes the slow path.
            if (c >= 0x300 && !(c >= 0x1EA0 && c <= 0x1EF9))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Moves a tone mark on the first vowel of a final <c>oa</c>/<c>oe</c>/<c>uy</c> of <paramref name="word"/> (NFC) to the
    /// last vowel, in place (<c>hòa</c> → <c>hoà</c>; <c>qu</c>+<c>y</c> is left alone); true when changed.
    /// </summary>
    public static bool CanonicalizeTone(Span<char> word)
    {
        var buffer = word;
        var length = word.Length;
        if (length < 2)
        {
            return false;
        }

        var first = buffer[length - 2];
        var last = buffer[length - 1];
        if (!ToneOnVowel.TryGetValue(first, out var toned))
        {
            return false;
        }

        var lowerLast = char.ToLowerInvariant(last);
        var lowerBase = char.ToLowerInvariant(toned.Base);
        var pairOk = (lowerBase == 'o' && lowerLast is 'a' or 'e') || (lowerBase == 'u' && lowerLast == 'y');
        if (!pairOk)
        {
            return false;
        }

        // "qu" + y: the u is a consonant part (quý), nothing to move; a toned u after q does not occur in NFC text anyway.
        if (lowerBase == 'u' && length >= 3 && char.ToLowerInvariant(buffer[length - 3]) == 'q')
        {
            return false;
        }

        if (!Compose.TryGetValue((last, toned.Tone), out var tonedLast))
        {
            return false;
        }

        buffer[length - 2] = toned.Base;
        buffer[length - 1] = tonedLast;
        return true;
    }

    private static char[] BuildFoldTable(int start, int end)
    {
        var table = new char[end - start];
        for (var c = start; c < end; c++)
        {
            var ch = (char)c;
            table[c - start] = ch switch
            {
                'đ' => 'd',
                'Đ' => 'D',
                'ð' => 'd',
                'Ð' => 'D',
                _ when c >= 0x300 && c <= 0x36F => '\0',
                _ => FoldByDecomposition(ch),
            };
        }

        return table;
    }

    private static char FoldByDecomposition(char c)
    {
        if (char.IsSurrogate(c))
        {
            return c;
        }

        var d = c.ToString().Normalize(NormalizationForm.FormD);
        if (d.Length > 1 && d[0] < 0x80 && char.IsLetter(d[0]))
        {
            for (var i = 1; i < d.Length; i++)
            {
                if (CharUnicodeInfo.GetUnicodeCategory(d[i]) != UnicodeCategory.NonSpacingMark)
                {
                    return c;
                }
            }

            return d[0];
        }

        return c;
    }

    private static Dictionary<char, (char Base, char Tone)> BuildToneMap()
    {
        var tones = ToneMarks;
        var map = new Dictionary<char, (char, char)>();
        foreach (var b in "oOuUaAeEyY")
        {
            foreach (var t in tones)
            {
                var composed = string.Concat(b, t).Normalize(NormalizationForm.FormC);
                if (composed.Length == 1)
                {
                    map[composed[0]] = (b, t);
                }
            }
        }

        // Only toned o/u are "first vowels" we move from; a/e/y entries are used for composing the target.
        return map;
    }
}
