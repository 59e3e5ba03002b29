using Xunit;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace Archive.Testing.Support;

/// <summary>
/// Builds small, valid PDFs with a Vietnamese text layer (PdfPig's writer with an embedded TrueType font; the 14
/// standard PDF fonts cannot encode Vietnamese letters such as ư, ơ, đ, ạ).
/// </summary>
public static class TestPdf
{
    private static readonly string[] FontCandidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "C:/Windows/Fonts/arial.ttf",
    ];

    private static readonly Lazy<byte[]> Font = new(LoadFont);

    /// <summary>One page per string.</summary>
    public static byte[] Create(params string[] pages)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddTrueTypeFont(Font.Value);
        foreach (var text in pages)
        {
            var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
            page.AddText(text, 11, new PdfPoint(40, 780), font);
        }

        return builder.Build();
    }

    private static byte[] LoadFont()
    {
        foreach (var path in FontCandidates)
        {
            if (File.Exists(path))
            {
                return File.ReadAllBytes(path);
            }
        }

        throw new InvalidOperationException(
            "No TrueType font with Vietnamese glyphs was found to build the test PDF. Install one, e.g. on Debian/Ubuntu: "
            + "apt-get install fonts-dejavu-core (looked in: " + string.Join(", ", FontCandidates) + ").");
    }
}
