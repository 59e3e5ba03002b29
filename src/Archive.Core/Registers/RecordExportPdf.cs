using System.Globalization;
using System.Text;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.TrueType;
using UglyToad.PdfPig.Fonts.TrueType.Parser;
using UglyToad.PdfPig.Writer;

namespace Archive.Registers;

/// <summary>
/// Vietnamese text on PdfPig pages with the embedded DejaVu Sans (Bitstream Vera licence, beside the font file).
/// PdfPig writes a TrueType font as a simple font of at most 255 distinct characters, so the writer registers the font
/// again whenever one copy is full (each copy is embedded as a subset of the characters it shows, with a ToUnicode map,
/// so the text stays extractable). Characters the font has no glyph for are shown as '?'; text is normalised to NFC
/// (combining marks would be drawn apart).
/// </summary>
internal sealed class PdfText
{
    public const double PageWidth = 595.28;
    public const double PageHeight = 841.89;
    public const double Margin = 56.7;

    private const int CharactersPerFont = 250;

    private static readonly byte[] FontBytes = LoadFont();
    private static readonly TrueTypeFont Metrics = TrueTypeFontParser.Parse(new TrueTypeDataBytes(new MemoryInputBytes(FontBytes)));
    private static readonly double UnitsPerEm = Metrics.GetUnitsPerEm();

    private readonly PdfDocumentBuilder _builder;
    private readonly List<(PdfDocumentBuilder.AddedFont Font, HashSet<char> Characters)> _fonts = [];

    public PdfText(PdfDocumentBuilder builder) => _builder = builder;

    /// <summary>The text as it can be shown: NFC, tabs as spaces, no control characters, '?' for a character without a glyph.</summary>
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var normalized = text.Normalize(NormalizationForm.FormC);
        var sb = new StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            if (c == '\t')
            {
                sb.Append("    ");
            }
            else if (char.IsControl(c) || char.IsSurrogate(c) && !char.IsHighSurrogate(c))
            {
                continue;
            }
            else if (char.IsHighSurrogate(c) || Metrics.WindowsUnicodeCMap.CharacterCodeToGlyphIndex(c) == 0)
            {
                sb.Append('?');
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>The width of cleaned text in points.</summary>
    public static double Width(string text, double size)
    {
        double units = 0;
        foreach (var c in text)
        {
            if (Metrics.TryGetAdvanceWidth(c, out var w))
            {
                units += w;
            }
        }

        return units * size / UnitsPerEm;
    }

    /// <summary>Splits text into lines no wider than <paramref name="width"/> (at spaces; a word too long is cut).</summary>
    public static List<string> Wrap(string? text, double size, double width)
    {
        var lines = new List<string>();
        foreach (var paragraph in string.IsNullOrEmpty(text) ? [string.Empty] : SplitParagraphs(text))
        {
            var line = new StringBuilder();
            foreach (var word in paragraph.Split(' '))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (Width(candidate, size) <= width)
                {
                    line.Clear().Append(candidate);
                    continue;
                }

                if (line.Length > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }

                var rest = word;
                while (Width(rest, size) > width && rest.Length > 1)
                {
                    var n = rest.Length - 1;
                    while (n > 1 && Width(rest[..n], size) > width)
                    {
                        n--;
                    }

                    lines.Add(rest[..n]);
                    rest = rest[n..];
                }

                line.Append(rest);
            }

            lines.Add(line.ToString());
        }

        return lines;
    }

    private static IEnumerable<string> SplitParagraphs(string text)
        => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n').Select(Clean);

    /// <summary>Draws cleaned text with its baseline starting at (x, y).</summary>
    public void Draw(PdfPageBuilder page, string text, double size, double x, double y)
    {
        var start = 0;
        while (start < text.Length)
        {
            var (font, characters) = FontFor(text[start]);
            var end = start;
            while (end < text.Length && (characters.Contains(text[end]) || characters.Count < CharactersPerFont))
            {
                characters.Add(text[end]);
                end++;
            }

            var run = text[start..end];
            page.AddText(run, size, new UglyToad.PdfPig.Core.PdfPoint(x, y), font);
            x += Width(run, size);
            start = end;
        }
    }

    /// <summary>Draws cleaned text centred between <paramref name="left"/> and <paramref name="right"/>.</summary>
    public void DrawCentered(PdfPageBuilder page, string text, double size, double left, double right, double y)
        => Draw(page, text, size, left + Math.Max(0, (right - left - Width(text, size)) / 2), y);

    private (PdfDocumentBuilder.AddedFont Font, HashSet<char> Characters) FontFor(char c)
    {
        foreach (var f in _fonts)
        {
            if (f.Characters.Contains(c) || f.Characters.Count < CharactersPerFont)
            {
                return f;
            }
        }

        var added = (_builder.AddTrueTypeFont(FontBytes), new HashSet<char>());
        _fonts.Add(added);
        return added;
    }

    private static byte[] LoadFont()
    {
        using var stream = typeof(PdfText).Assembly.GetManifestResourceStream("Archive.Registers.Fonts.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("The embedded font Archive.Registers.Fonts.DejaVuSans.ttf is missing from Archive.Core.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Pixel size of a JPEG (from its SOF marker) or PNG (IHDR); null when the header cannot be read.</summary>
    public static (int Width, int Height)? ImageSize(Stream stream, bool png)
    {
        var header = new byte[24];
        stream.Position = 0;
        if (png)
        {
            if (stream.ReadAtLeast(header, 24, throwOnEndOfStream: false) < 24)
            {
                return null;
            }

            return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20)));
        }

        if (stream.ReadByte() != 0xFF || stream.ReadByte() != 0xD8)
        {
            return null;
        }

        while (true)
        {
            int b;
            do
            {
                b = stream.ReadByte();
            }
            while (b == 0xFF);
            if (b < 0)
            {
                return null;
            }

            var marker = b;
            if (stream.ReadAtLeast(header.AsMemory(0, 2).Span, 2, throwOnEndOfStream: false) < 2)
            {
                return null;
            }

            var length = (header[0] << 8) | header[1];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (stream.ReadAtLeast(header.AsMemory(0, 5).Span, 5, throwOnEndOfStream: false) < 5)
                {
                    return null;
                }

                return ((header[3] << 8) | header[4], (header[1] << 8) | header[2]);
            }

            if (length < 2)
            {
                return null;
            }

            stream.Seek(length - 2, SeekOrigin.Current);
        }
    }

    public static string Size(long bytes) => bytes.ToString(CultureInfo.InvariantCulture) + " byte";
}
