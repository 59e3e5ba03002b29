using System.Globalization;
using System.Text;

namespace Archive.Bench;

/// <summary>
/// Writes born-digital-like PDFs of a given size with a Vietnamese text layer, without embedding a font program
/// (a 50 KB PDF cannot carry a 700 KB TrueType font; real office PDFs carry a small subset). Text is shown with a
/// Type0 font (Identity-H, two-byte codes = Unicode code points) whose ToUnicode CMap maps codes back to Unicode,
/// so the engine's PdfPig extractor reads every character. Pages hold up to 52 lines of ~88 characters; content
/// streams are not compressed (so 50 KB is about 3 pages, 12,000 characters of text).
/// </summary>
internal static class BenchPdf
{
    private const int LinesPerPage = 52;
    private const int CharsPerLine = 88;

    /// <summary>A PDF of about <paramref name="targetBytes"/> bytes of text drawn from <paramref name="rng"/>.</summary>
    public static byte[] Create(Random rng, int targetBytes)
    {
        // Each character costs 4 bytes of hex in the content stream, plus ~8 per line of operators.
        var lines = new List<string>();
        long estimate = 1500;
        while (estimate < targetBytes)
        {
            var paragraph = BenchText.Paragraphs(rng, 600);
            foreach (var line in Wrap(paragraph))
            {
                lines.Add(line);
                estimate += (line.Length * 4) + 8;
                if (lines.Count % LinesPerPage == 0)
                {
                    estimate += 220; // page object, stream header, xref entries
                }

                if (estimate >= targetBytes)
                {
                    break;
                }
            }
        }

        var pages = lines.Chunk(LinesPerPage).ToList();
        var ms = new MemoryStream(targetBytes + 4096);
        var offsets = new List<long>();
        void Raw(string s) => ms.Write(Encoding.ASCII.GetBytes(s));
        void Obj(string body)
        {
            offsets.Add(ms.Position);
            Raw($"{offsets.Count} 0 obj\n{body}\nendobj\n");
        }

        void StreamObj(string dict, byte[] data)
        {
            offsets.Add(ms.Position);
            Raw($"{offsets.Count} 0 obj\n<< {dict} /Length {data.Length.ToString(CultureInfo.InvariantCulture)} >>\nstream\n");
            ms.Write(data);
            Raw("\nendstream\nendobj\n");
        }

        Raw("%PDF-1.7\n");
        var pageIds = Enumerable.Range(0, pages.Count).Select(i => 7 + (2 * i)).ToList();
        Obj("<< /Type /Catalog /Pages 2 0 R >>");
        Obj($"<< /Type /Pages /Kids [{string.Join(" ", pageIds.Select(id => $"{id} 0 R"))}] /Count {pages.Count} >>");
        Obj("<< /Type /Font /Subtype /Type0 /BaseFont /DejaVuSans /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 5 0 R >>");
        Obj("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /DejaVuSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 560 /CIDToGIDMap /Identity >>");
        StreamObj("", Encoding.ASCII.GetBytes(ToUnicode(lines)));
        Obj("<< /Type /FontDescriptor /FontName /DejaVuSans /Flags 32 /FontBBox [-1021 -463 1793 1232] /ItalicAngle 0 /Ascent 928 /Descent -236 /CapHeight 729 /StemV 80 >>");
        foreach (var page in pages)
        {
            var content = new StringBuilder("BT\n/F1 10 Tf\n14 TL\n40 800 Td\n");
            foreach (var line in page)
            {
                content.Append('<');
                foreach (var c in line)
                {
                    content.Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                }

                content.Append("> Tj T*\n");
            }

            content.Append("ET\n");
            Obj($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {offsets.Count + 2} 0 R >>");
            StreamObj("", Encoding.ASCII.GetBytes(content.ToString()));
        }

        var xref = ms.Position;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var o in offsets)
        {
            sb.Append(o.ToString("D10", CultureInfo.InvariantCulture)).Append(" 00000 n \n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        Raw(sb.ToString());
        return ms.ToArray();
    }

    /// <summary>Breaks text into lines of at most <see cref="CharsPerLine"/> characters at spaces.</summary>
    private static IEnumerable<string> Wrap(string text)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > CharsPerLine)
            {
                yield return line.ToString();
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    /// <summary>Identity ToUnicode CMap: one bfrange per 256-code block used (code = Unicode code point).</summary>
    private static string ToUnicode(List<string> lines)
    {
        var blocks = lines.SelectMany(l => l).Select(c => c >> 8).Distinct().Order().ToList();
        var sb = new StringBuilder("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
        sb.Append(CultureInfo.InvariantCulture, $"{blocks.Count} beginbfrange\n");
        foreach (var b in blocks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<{b:X2}00> <{b:X2}FF> <{b:X2}00>\n");
        }

        sb.Append("endbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        return sb.ToString();
    }
}
