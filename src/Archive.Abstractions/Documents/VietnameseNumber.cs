using System.Globalization;
using System.Text;

namespace Archive.Documents;

/// <summary>
/// Vietnamese numbers in words (đọc số thành chữ), as official documents write totals:
/// "Tổng số: 125 (Một trăm hai mươi lăm) hồ sơ".
/// </summary>
/// <remarks>
/// Rules (administrative style): <c>mười</c> for 10–19, <c>mươi</c> from 20; <c>mốt</c> for a 1 after
/// <c>mươi</c> (21 hai mươi mốt, but 11 mười một, 101 một trăm linh một); <c>lăm</c> for a 5 after
/// <c>mười</c>/<c>mươi</c> (15 mười lăm, 25 hai mươi lăm, but 105 một trăm linh năm); 4 is always <c>bốn</c>
/// (the colloquial <c>tư</c> is not used); <c>linh</c> (not <c>lẻ</c>) for a zero tens digit; scales
/// <c>nghìn</c>, <c>triệu</c>, <c>tỷ</c>, the count of billions being read as a number of its own
/// (1 234 000 000 000 một nghìn hai trăm ba mươi bốn tỷ, 10^12 một nghìn tỷ, 10^18 một tỷ tỷ);
/// a group after the first that has no hundreds says <c>không trăm</c> (1 005 một nghìn không trăm linh năm);
/// groups that are all zero are left out (1 000 001 một triệu không trăm linh một).
/// </remarks>
public static class VietnameseNumber
{
    private static readonly string[] Digits = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];

    /// <summary>The number in words, lower case (e.g. <c>một trăm hai mươi lăm</c>); negative numbers start with <c>âm</c>.</summary>
    public static string ToWords(long value)
    {
        if (value == 0)
        {
            return Digits[0];
        }

        var magnitude = value < 0 ? (ulong)(-(value + 1)) + 1 : (ulong)value;
        var words = Words(magnitude);
        return value < 0 ? "âm " + words : words;
    }

    /// <summary>The number in words with a capital first letter, as written in brackets after a figure (e.g. <c>Một trăm hai mươi lăm</c>).</summary>
    public static string ToWordsCapitalized(long value)
    {
        var words = ToWords(value);
        return char.ToUpper(words[0], CultureInfo.GetCultureInfo("vi-VN")) + words[1..];
    }

    /// <summary>The figure and its words: <c>125 (Một trăm hai mươi lăm)</c>; the figure uses the Vietnamese thousands separator (<c>1.000</c>).</summary>
    public static string FigureAndWords(long value) =>
        value.ToString("#,0", CultureInfo.GetCultureInfo("vi-VN")) + " (" + ToWordsCapitalized(value) + ")";

    private static string Words(ulong value)
    {
        var sb = new StringBuilder();
        Append(sb, value, leading: true);
        return sb.ToString();
    }

    /// <summary>
    /// Appends <paramref name="value"/> (non-zero): the part above a billion is read recursively and followed by one
    /// <c>tỷ</c> (1 234 000 000 000 một nghìn hai trăm ba mươi bốn tỷ; 10^18 một tỷ tỷ), then the rest below a billion.
    /// </summary>
    private static void Append(StringBuilder sb, ulong value, bool leading)
    {
        const ulong Billion = 1_000_000_000;
        if (value >= Billion)
        {
            Append(sb, value / Billion, leading);
            sb.Append(" tỷ");
            value %= Billion;
            leading = false;
            if (value == 0)
            {
                return;
            }
        }

        ReadOnlySpan<string> scales = ["triệu", "nghìn", ""];
        ReadOnlySpan<int> groups = [(int)(value / 1_000_000), (int)(value / 1000 % 1000), (int)(value % 1000)];
        for (var i = 0; i < 3; i++)
        {
            if (groups[i] == 0)
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            Group(sb, groups[i], full: !leading);
            leading = false;
            if (scales[i].Length > 0)
            {
                sb.Append(' ').Append(scales[i]);
            }
        }
    }

    /// <summary>One group of three digits; <paramref name="full"/> when a higher group precedes it (hundreds always said).</summary>
    private static void Group(StringBuilder sb, int g, bool full)
    {
        int hundreds = g / 100, tens = g / 10 % 10, units = g % 10;
        var start = sb.Length;
        if (full || hundreds > 0)
        {
            sb.Append(Digits[hundreds]).Append(" trăm");
        }

        void Word(string w)
        {
            if (sb.Length > start)
            {
                sb.Append(' ');
            }

            sb.Append(w);
        }

        if (tens == 0)
        {
            if (units > 0)
            {
                if (sb.Length > start)
                {
                    Word("linh");
                }

                Word(Digits[units]);
            }

            return;
        }

        Word(tens == 1 ? "mười" : Digits[tens] + " mươi");
        switch (units)
        {
            case 0:
                break;
            case 1:
                Word(tens == 1 ? "một" : "mốt");
                break;
            case 5:
                Word("lăm");
                break;
            default:
                Word(Digits[units]);
                break;
        }
    }
}
