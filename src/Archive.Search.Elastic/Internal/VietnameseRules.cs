using System.Globalization;
using System.Text;

namespace Archive.Search.Elastic.Internal;

/// <summary>
/// The Vietnamese text normalisation of the embedded Lucene engine, expressed as Elasticsearch <c>mapping</c> char
/// filter rules so that both engines index the same terms without an analysis plugin (Elasticsearch has no built-in
/// NFC filter; <c>icu_normalizer</c> needs the ICU plugin):
/// <list type="bullet">
/// <item><see cref="CompositionRules"/>: Unicode NFC for Latin letters (decomposed and half-composed input such as
/// <c>a</c>+U+0302+U+0301 or <c>â</c>+U+0301 → <c>ấ</c>, in any canonical mark order).</item>
/// <item><see cref="ToneRules"/>: the tone mark of <c>oa</c>, <c>oe</c>, <c>uy</c> goes on the second vowel
/// (<c>hòa</c> → <c>hoà</c>, <c>thủy</c> → <c>thuỷ</c>; <c>qu</c>+<c>y</c> is left alone), so both spelling
/// conventions give one term.</item>
/// <item><see cref="FoldingRules"/>: diacritics removed (<c>đ</c> → <c>d</c>, <c>ồ</c> → <c>o</c>, combining marks
/// dropped) with the table of <see cref="VietnameseFolding"/>, shared with the Lucene engine (base letter of the canonical decomposition for U+0080–U+024F
/// and U+1E00–U+1EFF, plus <c>đ Đ ð Ð</c>), not Elasticsearch's wider <c>asciifolding</c>.</item>
/// </list>
/// Char filters work before tokenisation and keep offsets, so highlights point into the original text.
/// </summary>
internal static class VietnameseRules
{
    private static readonly (int Start, int End)[] LatinRanges = [(0x00C0, 0x0250), (0x1E00, 0x1F00)];
    private static readonly IReadOnlyList<char> Tones = VietnameseFolding.ToneMarks;

    private static readonly Lazy<IReadOnlyList<string>> Composition = new(BuildCompositionRules);
    private static readonly Lazy<IReadOnlyList<string>> Tone = new(BuildToneRules);
    private static readonly Lazy<IReadOnlyList<string>> Folding = new(BuildFoldingRules);

    /// <summary>NFC composition rules (<c>source =&gt; target</c>, escaped as Elasticsearch expects).</summary>
    public static IReadOnlyList<string> CompositionRules => Composition.Value;

    /// <summary>Tone-placement rules for final <c>oa</c>, <c>oe</c>, <c>uy</c>.</summary>
    public static IReadOnlyList<string> ToneRules => Tone.Value;

    /// <summary>Diacritics folding rules.</summary>
    public static IReadOnlyList<string> FoldingRules => Folding.Value;

    /// <summary>The folded form of one character (<see cref="VietnameseFolding.Fold(char)"/>).</summary>
    public static char Fold(char c) => VietnameseFolding.Fold(c);

    /// <summary>Whether <paramref name="text"/> has a letter with a diacritic (<see cref="VietnameseFolding.HasDiacritics"/>).</summary>
    public static bool HasDiacritics(string text) => VietnameseFolding.HasDiacritics(text);

    /// <summary>Exact-match values are compared in NFC, trimmed (as the Lucene engine does).</summary>
    public static string Canonical(string value) => SearchRequestValidator.CanonicalValue(value);

    /// <summary>One rule in the syntax of the <c>mapping</c> char filter; every character outside [A-Za-z0-9] is escaped.</summary>
    public static string Rule(string from, string to) => Escape(from) + " => " + Escape(to);

    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length * 6);
        foreach (var c in s)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static IReadOnlyList<string> BuildCompositionRules()
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (start, end) in LatinRanges)
        {
            for (var code = start; code < end; code++)
            {
                var c = ((char)code).ToString();
                var d = c.Normalize(NormalizationForm.FormD);
                if (d.Length < 2 || c.Normalize(NormalizationForm.FormC) != c)
                {
                    continue;
                }

                var marks = d[1..];
                foreach (var order in Permutations(marks))
                {
                    for (var k = 0; k < order.Length; k++)
                    {
                        var prefix = (d[0] + order[..k]).Normalize(NormalizationForm.FormC);
                        if (prefix.Length != 1)
                        {
                            continue;
                        }

                        var variant = prefix + order[k..];
                        if (variant != c && variant.Normalize(NormalizationForm.FormC) == c)
                        {
                            map[variant] = c;
                        }
                    }
                }
            }
        }

        return map.Select(kv => Rule(kv.Key, kv.Value)).ToList();
    }

    private static IReadOnlyList<string> BuildToneRules()
    {
        var rules = new List<string>();
        foreach (var first in "oOuU")
        {
            var seconds = char.ToLowerInvariant(first) == 'o' ? "aAeE" : "yY";
            foreach (var tone in Tones)
            {
                var toned = string.Concat(first, tone).Normalize(NormalizationForm.FormC);
                foreach (var second in seconds)
                {
                    var target = string.Concat(second, tone).Normalize(NormalizationForm.FormC);
                    rules.Add(Rule(toned + second, first + target));
                    if (char.ToLowerInvariant(first) == 'u')
                    {
                        // "qu" + y: the u belongs to the consonant, the word keeps its spelling (longest match wins).
                        rules.Add(Rule("q" + toned + second, "q" + toned + second));
                        rules.Add(Rule("Q" + toned + second, "Q" + toned + second));
                    }
                }
            }
        }

        return rules;
    }

    private static IReadOnlyList<string> BuildFoldingRules()
    {
        var rules = new List<string>();
        for (var code = 0x80; code < 0x250; code++)
        {
            AddFold(rules, (char)code);
        }

        for (var code = 0x300; code <= 0x36F; code++)
        {
            AddFold(rules, (char)code);
        }

        for (var code = 0x1E00; code < 0x1F00; code++)
        {
            AddFold(rules, (char)code);
        }

        return rules;
    }

    private static void AddFold(List<string> rules, char c)
    {
        var f = Fold(c);
        if (f != c)
        {
            rules.Add(Rule(c.ToString(), f == '\0' ? "" : f.ToString()));
        }
    }

    private static IEnumerable<string> Permutations(string s)
    {
        if (s.Length <= 1)
        {
            yield return s;
            yield break;
        }

        for (var i = 0; i < s.Length; i++)
        {
            foreach (var rest in Permutations(s.Remove(i, 1)))
            {
                yield return s[i] + rest;
            }
        }
    }
}
