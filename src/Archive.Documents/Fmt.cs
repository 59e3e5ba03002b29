using System.Globalization;
using System.Text;

namespace Archive.Documents;

/// <summary>Text and number formatting shared by the writers.</summary>
internal static class Fmt
{
    internal static readonly CultureInfo Vi = CultureInfo.GetCultureInfo("vi-VN");

    internal const string NationalTitle = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    internal const string Motto = "Độc lập - Tự do - Hạnh phúc";
    internal const string Dots = "……………………………………";

    /// <summary>Removes characters XML 1.0 cannot carry (control characters, lone surrogates) and normalises to NFC.</summary>
    internal static string Clean(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return string.Empty;
        }

        var ok = true;
        for (var i = 0; i < s.Length && ok; i++)
        {
            ok = IsXmlChar(s, i, out var wide);
            i += wide ? 1 : 0;
        }

        if (ok)
        {
            return s.IsNormalized(NormalizationForm.FormC) ? s : s.Normalize(NormalizationForm.FormC);
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (IsXmlChar(s, i, out var wide))
            {
                sb.Append(s[i]);
                if (wide)
                {
                    sb.Append(s[++i]);
                }
            }
            else if (s[i] is '\t' or '\r' or '\n')
            {
                sb.Append(' ');
            }
        }

        return sb.ToString().Normalize(NormalizationForm.FormC);
    }

    private static bool IsXmlChar(string s, int i, out bool wide)
    {
        wide = false;
        var c = s[i];
        if (char.IsHighSurrogate(c))
        {
            wide = i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]);
            return wide;
        }

        return c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
    }

    /// <summary>dd/MM/yyyy.</summary>
    internal static string Date(DateOnly? d) => d?.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>Vietnamese figures: <c>1.234</c>.</summary>
    internal static string Number(long n) => n.ToString("#,0", Vi);

    /// <summary>Vietnamese decimal: <c>1,5</c>.</summary>
    internal static string Number(decimal n) => n.ToString("#,0.##", Vi);

    /// <summary>"Hà Nội, ngày 05 tháng 01 năm 2026" (day below 10 and months 1, 2 with a leading zero); blanks to fill by hand without a date.</summary>
    internal static string PlaceAndDate(string? place, DateOnly? date)
    {
        var where = string.IsNullOrWhiteSpace(place) ? "………" : Clean(place);
        if (date is not { } d)
        {
            return where + ", ngày … tháng … năm ……";
        }

        var day = d.Day.ToString(d.Day < 10 ? "00" : "0", CultureInfo.InvariantCulture);
        var month = d.Month.ToString(d.Month < 3 ? "00" : "0", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{where}, ngày {day} tháng {month} năm {d.Year}");
    }

    /// <summary>Date range of records in years: <c>2010 - 2024</c>, <c>2024</c>, or dots.</summary>
    internal static string YearRange(DateOnly? from, DateOnly? to) => (from, to) switch
    {
        (null, null) => Dots,
        ({ } f, null) => string.Create(CultureInfo.InvariantCulture, $"Từ năm {f.Year}"),
        (null, { } t) => string.Create(CultureInfo.InvariantCulture, $"Đến năm {t.Year}"),
        ({ } f, { } t) when f.Year == t.Year => string.Create(CultureInfo.InvariantCulture, $"Năm {f.Year}"),
        ({ } f, { } t) => string.Create(CultureInfo.InvariantCulture, $"Từ năm {f.Year} đến năm {t.Year}"),
    };

    /// <summary>A byte count: <c>1.234.567 byte (1,18 MB)</c>.</summary>
    internal static string Bytes(long bytes)
    {
        var figure = Number(bytes) + " byte";
        return bytes switch
        {
            < 1024 => figure,
            < 1024 * 1024 => figure + " (" + (bytes / 1024.0).ToString("0.##", Vi) + " KB)",
            < 1024L * 1024 * 1024 => figure + " (" + (bytes / 1024.0 / 1024).ToString("0.##", Vi) + " MB)",
            _ => figure + " (" + (bytes / 1024.0 / 1024 / 1024).ToString("0.##", Vi) + " GB)",
        };
    }

    /// <summary>Upper case in Vietnamese.</summary>
    internal static string Upper(string s) => Clean(s).ToUpper(Vi);
}
