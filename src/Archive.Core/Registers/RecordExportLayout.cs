using System.Globalization;
using Archive.Records;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace Archive.Registers;

/// <summary>The pages a record file export draws itself: cover, document list, image, text and placeholder pages (A4).</summary>
internal static class RecordExportLayout
{
    private const double W = PdfText.PageWidth;
    private const double H = PdfText.PageHeight;
    private const double M = PdfText.Margin;
    private const double ListSize = 9;
    private const double ListLeading = 11.5;
    private const double TextSize = 10;
    private const double TextLeading = 13;

    /// <summary>The document list's columns: title and width in points (together the width between the margins).</summary>
    internal static readonly (string Title, double Width)[] Columns =
    [
        ("STT", 28), ("Số, ký hiệu", 80), ("Ngày tháng", 58), ("Tên loại và trích yếu nội dung", 176), ("Tác giả", 95), ("Trang", 44.88),
    ];

    private static string Date(DateOnly? d) => d?.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) ?? string.Empty;

    public static void Cover(PdfDocumentBuilder builder, PdfText text, ExportContext c)
    {
        var page = builder.AddPage(W, H);
        var y = H - M;
        var half = W / 2;

        // Heading as on the forms of Decree 30: the agency on the left, the national title and motto on the right.
        var left = new List<string>();
        if (c.Parent is not null)
        {
            left.Add(PdfText.Clean(c.Parent.Name.ToUpperInvariant()));
        }

        left.Add(PdfText.Clean((c.Holder?.Name ?? c.File.OrganId).ToUpperInvariant()));
        var ly = y;
        foreach (var line in left.SelectMany(l => PdfText.Wrap(l, 10, half - M - 8)))
        {
            text.DrawCentered(page, line, 10, M, half - 8, ly);
            ly -= 13;
        }

        text.DrawCentered(page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 10, half - 8, W - M + 20, y);
        text.DrawCentered(page, "Độc lập - Tự do - Hạnh phúc", 10.5, half - 8, W - M + 20, y - 14);
        var motto = PdfText.Width("Độc lập - Tự do - Hạnh phúc", 10.5);
        var centre = (half - 8 + W - M + 20) / 2;
        page.DrawLine(new PdfPoint(centre - motto / 2, y - 17), new PdfPoint(centre + motto / 2, y - 17), 0.6);

        y = Math.Min(ly, y - 30) - 90;
        text.DrawCentered(page, "HỒ SƠ", 20, M, W - M, y);
        y -= 30;
        foreach (var line in PdfText.Wrap(c.File.Title, 14, W - 2 * M - 40))
        {
            text.DrawCentered(page, line, 14, M, W - M, y);
            y -= 19;
        }

        y -= 40;
        var f = c.File;
        var time = f.StartDate is null && f.EndDate is null ? f.FileCatalog.ToString(CultureInfo.InvariantCulture) : Date(f.StartDate) + " - " + Date(f.EndDate);
        var fields = new (string Label, string Value)[]
        {
            ("Phông", c.FondsLine),
            ("Mã hồ sơ", f.FileCode),
            ("Số và ký hiệu hồ sơ", f.FileNotation),
            ("Tiêu đề hồ sơ", f.Title),
            ("Thời gian", time),
            ("Thời hạn lưu trữ", f.Maintenance.ToVietnamese()),
            ("Số văn bản", c.Documents.Count.ToString(CultureInfo.InvariantCulture)),
            ("Số trang của bản PDF", c.TotalPages.ToString(CultureInfo.InvariantCulture)),
            ("Phiên bản hồ sơ", c.Version.ToString(CultureInfo.InvariantCulture)),
            ("Ngày xuất", c.Now.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture) + " (giờ Việt Nam)"),
        };
        const double labelWidth = 150;
        foreach (var (label, value) in fields)
        {
            text.Draw(page, PdfText.Clean(label + ":"), 11, M + 20, y);
            foreach (var line in PdfText.Wrap(value, 11, W - 2 * M - 20 - labelWidth))
            {
                text.Draw(page, line, 11, M + 20 + labelWidth, y);
                y -= 15;
            }

            y -= 4;
        }
    }

    /// <summary>Splits the rows into list pages (the first page carries the title).</summary>
    public static List<IReadOnlyList<ListRow>> Paginate(IReadOnlyList<ListRow> rows)
    {
        var pages = new List<IReadOnlyList<ListRow>>();
        var current = new List<ListRow>();
        var room = FirstListRoom();
        foreach (var row in rows)
        {
            var height = RowHeight(Cells(row));
            if (current.Count > 0 && height > room)
            {
                pages.Add(current);
                current = [];
                room = ListRoom();
            }

            current.Add(row);
            room -= height;
        }

        pages.Add(current);
        return pages;
    }

    public static void List(PdfDocumentBuilder builder, PdfText text, ExportContext c, IReadOnlyList<IReadOnlyList<ListRow>> pages)
    {
        for (var p = 0; p < pages.Count; p++)
        {
            var page = builder.AddPage(W, H);
            var y = H - M;
            if (p == 0)
            {
                text.DrawCentered(page, "MỤC LỤC VĂN BẢN", 14, M, W - M, y - 10);
                text.DrawCentered(page, PdfText.Clean("Hồ sơ " + c.File.FileCode), 10, M, W - M, y - 28);
                y -= 48;
            }

            y = Row(page, text, Columns.Select(col => new List<string> { col.Title }).ToList(), y);
            foreach (var row in pages[p])
            {
                y = Row(page, text, Cells(row), y);
            }

            text.DrawCentered(page, PdfText.Clean($"Mục lục văn bản, tờ {p + 1}/{pages.Count}"), 8, M, W - M, M / 2);
        }
    }

    private static double FirstListRoom() => ListRoom() - 48;

    private static double ListRoom() => H - 2 * M - RowHeight(Columns.Select(col => new List<string> { col.Title }).ToList());

    private static List<List<string>> Cells(ListRow row)
    {
        var d = row.Document;
        var summary = string.Join(" ", new[] { d.TypeName, d.Subject }.Where(s => !string.IsNullOrWhiteSpace(s)));
        if (d.NonArchival is not null)
        {
            summary += " (đã loại ra)";
        }

        var values = new[]
        {
            row.Number.ToString(CultureInfo.InvariantCulture),
            d.NumberAndSymbol ?? d.CodeNumber ?? d.CodeNotation ?? string.Empty,
            Date(d.IssuedDate),
            summary,
            d.OrganName ?? string.Empty,
            row.PagesText,
        };
        return values.Select((v, i) => PdfText.Wrap(v, ListSize, Columns[i].Width - 6)).ToList();
    }

    private static double RowHeight(List<List<string>> cells) => cells.Max(l => l.Count) * ListLeading + 6;

    private static double Row(PdfPageBuilder page, PdfText text, List<List<string>> cells, double top)
    {
        var height = RowHeight(cells);
        var x = M;
        for (var i = 0; i < Columns.Length; i++)
        {
            var y = top - 3 - ListSize;
            foreach (var line in cells[i])
            {
                text.Draw(page, line, ListSize, x + 3, y);
                y -= ListLeading;
            }

            page.DrawRectangle(new PdfPoint(x, top - height), Columns[i].Width, height, 0.5);
            x += Columns[i].Width;
        }

        return top - height;
    }

    /// <summary>A caption at the foot of a content page: which document and content it is.</summary>
    private static void Caption(PdfPageBuilder page, PdfText text, ExportPart part, double width)
    {
        var d = part.Document;
        var caption = PdfText.Clean($"Văn bản {d.DocOrdinal}{(d.NumberAndSymbol is { } s ? " (" + s + ")" : string.Empty)}: {part.Content.Name}");
        text.Draw(page, PdfText.Wrap(caption, 8, width - 2 * M)[0], 8, M, M / 2);
    }

    public static int ImagePage(string spool, bool png, ExportPart part, string target)
    {
        using var image = File.OpenRead(spool);
        var size = PdfText.ImageSize(image, png) ?? throw new InvalidDataException("The image header cannot be read.");
        if (size.Width <= 0 || size.Height <= 0)
        {
            throw new InvalidDataException("The image has no pixels.");
        }

        var landscape = size.Width > size.Height;
        var (pw, ph) = landscape ? (H, W) : (W, H);
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 65536);
        using (var builder = new PdfDocumentBuilder(output, disposeStream: false))
        {
            var text = new PdfText(builder);
            var page = builder.AddPage(pw, ph);
            var scale = Math.Min((pw - 2 * M) / size.Width, (ph - 2 * M) / size.Height);
            var (iw, ih) = (size.Width * scale, size.Height * scale);
            var rect = new PdfRectangle((pw - iw) / 2, (ph - ih) / 2, (pw + iw) / 2, (ph + ih) / 2);
            image.Position = 0;
            _ = png ? page.AddPng(image, rect) : page.AddJpeg(image, rect);
            Caption(page, text, part, pw);
        }

        return 1;
    }

    public static int TextPages(string spool, ExportPart part, string target)
    {
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 65536);
        var pages = 0;
        using (var builder = new PdfDocumentBuilder(output, disposeStream: false))
        {
            var text = new PdfText(builder);
            using var reader = new StreamReader(spool, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            PdfPageBuilder? page = null;
            var y = 0.0;
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                foreach (var piece in PdfText.Wrap(line, TextSize, W - 2 * M))
                {
                    if (page is null || y < M)
                    {
                        page = builder.AddPage(W, H);
                        pages++;
                        Caption(page, text, part, W);
                        y = H - M;
                    }

                    text.Draw(page, piece, TextSize, M, y);
                    y -= TextLeading;
                }
            }

            if (page is null)
            {
                page = builder.AddPage(W, H);
                pages++;
                Caption(page, text, part, W);
                text.Draw(page, "(Tệp văn bản trống.)", TextSize, M, H - M);
            }
        }

        return pages;
    }

    public static int PlaceholderPage(ExportPart part, string? reason, string target)
    {
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 65536);
        using (var builder = new PdfDocumentBuilder(output, disposeStream: false))
        {
            var text = new PdfText(builder);
            var page = builder.AddPage(W, H);
            var y = H - M - 60;
            text.DrawCentered(page, "TỆP NỘI DUNG KHÔNG THỂ HIỆN TRONG BẢN PDF", 13, M, W - M, y);
            y -= 40;
            var c = part.Content;
            var d = part.Document;
            var lines = new List<string>
            {
                $"Văn bản số thứ tự {d.DocOrdinal}{(d.NumberAndSymbol is { } s ? ", số, ký hiệu " + s : string.Empty)}{(d.IssuedDate is { } date ? ", ngày " + Date(date) : string.Empty)}.",
                "Tên tệp: " + c.Name,
                "Kiểu tệp: " + c.MediaType,
                "Dung lượng: " + PdfText.Size(c.Length),
                "SHA-256: " + c.Sha256,
                string.Empty,
                reason ?? "Kiểu tệp này không chuyển được sang trang PDF.",
                "Tệp gốc được lưu nguyên vẹn trong hồ sơ (mã SHA-256 ở trên); tệp XML kèm theo cũng ghi tệp này.",
            };
            foreach (var line in lines.SelectMany(l => PdfText.Wrap(l, 11, W - 2 * M)))
            {
                text.Draw(page, line, 11, M, y);
                y -= 16;
            }

            Caption(page, text, part, W);
        }

        return 1;
    }
}
