using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Archive.Documents;

/// <summary>
/// The <see cref="IStatisticsReportWriter"/> of this package: an XLSX workbook with one sheet per breakdown, each with the
/// agency heading, Quốc hiệu and tiêu ngữ, the report's title and filters, then the table. A report has a few lines per
/// breakdown (agencies, fonds, years), so it is built in memory and copied to the output.
/// </summary>
public sealed class OpenXmlStatisticsReportWriter : IStatisticsReportWriter
{
    // Cell formats (see Styles()).
    private const uint SNormal = 0, SBold = 1, SHead = 2, SText = 3, SInteger = 4, SDecimal = 5, STotalText = 6, STotalInteger = 7, STotalDecimal = 8, SItalic = 9, STitle = 10;

    /// <inheritdoc />
    public void WriteStatisticsXlsx(StatisticsReportDocument document, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        if (document.Sheets.Count == 0)
        {
            throw new ArgumentException("A statistics report has at least one sheet.", nameof(document));
        }

        using var buffer = new MemoryStream();
        using (var book = SpreadsheetDocument.Create(buffer, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = book.AddWorkbookPart();
            workbookPart.Workbook = new Workbook();
            var stylesPart = workbookPart.AddNewPart<WorkbookStylesPart>();
            stylesPart.Stylesheet = Styles();
            var sheets = workbookPart.Workbook.AppendChild(new Sheets());
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            uint id = 1;
            foreach (var sheet in document.Sheets)
            {
                var part = workbookPart.AddNewPart<WorksheetPart>();
                part.Worksheet = Worksheet(document, sheet);
                sheets.Append(new Sheet { Id = workbookPart.GetIdOfPart(part), SheetId = id, Name = SheetName(sheet.Name, id, names) });
                id++;
            }

            book.PackageProperties.Title = Fmt.Clean(document.Title);
            book.PackageProperties.Creator = Fmt.Clean(document.Heading.AgencyName);
        }

        buffer.Position = 0;
        buffer.CopyTo(output);
    }

    private static string SheetName(string name, uint id, HashSet<string> used)
    {
        var clean = new string(Fmt.Clean(name).Where(c => c is not ('[' or ']' or ':' or '*' or '?' or '/' or '\\')).ToArray()).Trim('\'', ' ');
        if (clean.Length == 0)
        {
            clean = "Sheet";
        }

        clean = clean.Length > 31 ? clean[..31] : clean;
        while (!used.Add(clean))
        {
            var suffix = " " + id.ToString(CultureInfo.InvariantCulture);
            clean = (clean.Length + suffix.Length > 31 ? clean[..(31 - suffix.Length)] : clean) + suffix;
        }

        return clean;
    }

    private static Worksheet Worksheet(StatisticsReportDocument doc, StatisticsReportSheet sheet)
    {
        var columns = Math.Max(2, sheet.ColumnTitles.Count);
        var data = new SheetData();
        var merges = new MergeCells();
        uint row = 0;

        Row Add(params (int Column, string Text, uint Style)[] cells)
        {
            row++;
            var r = new Row { RowIndex = row };
            foreach (var (column, text, style) in cells)
            {
                r.Append(TextCell(Letter(column) + row.ToString(CultureInfo.InvariantCulture), text, style));
            }

            data.Append(r);
            return r;
        }

        void Merge(int from, int to) => merges.Append(new MergeCell { Reference = $"{Letter(from)}{row}:{Letter(to)}{row}" });

        // Heading: the agency on the left, Quốc hiệu and tiêu ngữ on the right.
        var h = doc.Heading;
        var split = columns >= 4 ? 1 : 0;
        var right = split + 1;
        Add((0, Fmt.Upper(h.ParentAgencyName ?? h.AgencyName), h.ParentAgencyName is null ? SBold : SNormal), (right, Fmt.NationalTitle, SBold));
        Merge(0, split);
        Merge(right, columns - 1);
        Add((0, h.ParentAgencyName is null ? string.Empty : Fmt.Upper(h.AgencyName), SBold), (right, Fmt.Motto, SBold));
        Merge(0, split);
        Merge(right, columns - 1);
        Add((right, h.Date is null && h.Place is null ? string.Empty : Fmt.PlaceAndDate(h.Place, h.Date), SItalic));
        Merge(right, columns - 1);
        row++;
        Add((0, Fmt.Clean(doc.Title), STitle));
        Merge(0, columns - 1);
        foreach (var s in doc.Subtitles)
        {
            Add((0, Fmt.Clean(s), SItalic));
            Merge(0, columns - 1);
        }

        Add((0, Fmt.Clean(sheet.Title), SBold));
        Merge(0, columns - 1);
        row++;
        Add([.. sheet.ColumnTitles.Select((t, i) => (i, Fmt.Clean(t), SHead))]);
        foreach (var line in sheet.Rows)
        {
            row++;
            var r = new Row { RowIndex = row };
            var reference = row.ToString(CultureInfo.InvariantCulture);
            r.Append(TextCell("A" + reference, Fmt.Clean(line.Label), line.IsTotal ? STotalText : SText));
            for (var i = 0; i < columns - 1; i++)
            {
                var value = i < line.Values.Count ? line.Values[i] : null;
                var integral = value is null || value == decimal.Truncate(value.Value);
                var style = line.IsTotal ? (integral ? STotalInteger : STotalDecimal) : (integral ? SInteger : SDecimal);
                var cell = new Cell { CellReference = Letter(i + 1) + reference, StyleIndex = style };
                if (value is { } v)
                {
                    cell.CellValue = new CellValue(v.ToString(CultureInfo.InvariantCulture));
                    cell.DataType = CellValues.Number;
                }

                r.Append(cell);
            }

            data.Append(r);
        }

        var cols = new Columns(new Column { Min = 1, Max = 1, Width = 42, CustomWidth = true });
        for (var i = 1; i < columns; i++)
        {
            cols.Append(new Column { Min = (uint)(i + 1), Max = (uint)(i + 1), Width = 16, CustomWidth = true });
        }

        var worksheet = new Worksheet(cols, data);
        if (merges.HasChildren)
        {
            worksheet.Append(merges);
        }

        worksheet.Append(new PageMargins { Left = 0.7, Right = 0.5, Top = 0.6, Bottom = 0.6, Header = 0.3, Footer = 0.3 });
        worksheet.Append(new PageSetup { PaperSize = 9U, Orientation = OrientationValues.Landscape });
        return worksheet;
    }

    private static Cell TextCell(string reference, string text, uint style) => new()
    {
        CellReference = reference,
        DataType = CellValues.InlineString,
        StyleIndex = style,
        InlineString = new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }),
    };

    private static string Letter(int index)
    {
        var s = string.Empty;
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            s = (char)('A' + ((n - 1) % 26)) + s;
        }

        return s;
    }

    private static Stylesheet Styles()
    {
        Font F(bool bold = false, bool italic = false, double size = 12)
        {
            var f = new Font();
            if (bold)
            {
                f.Append(new Bold());
            }

            if (italic)
            {
                f.Append(new Italic());
            }

            f.Append(new FontSize { Val = size });
            f.Append(new FontName { Val = "Times New Roman" });
            return f;
        }

        var fonts = new Fonts(F(), F(bold: true), F(italic: true), F(bold: true, size: 14)) { Count = 4U };
        var fills = new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2U };
        var thin = new Border(
            new LeftBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new RightBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new TopBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new BottomBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new DiagonalBorder());
        var borders = new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder()), thin) { Count = 2U };

        CellFormat Format(uint font, uint border = 0, uint numFmt = 0, HorizontalAlignmentValues? align = null, bool wrap = false)
        {
            var cf = new CellFormat { FontId = font, FillId = 0U, BorderId = border, NumberFormatId = numFmt, ApplyFont = true, ApplyBorder = border != 0, ApplyNumberFormat = numFmt != 0 };
            if (align is not null || wrap)
            {
                cf.ApplyAlignment = true;
                cf.Append(new Alignment { Horizontal = align, Vertical = VerticalAlignmentValues.Center, WrapText = wrap });
            }

            return cf;
        }

        var formats = new CellFormats(
            Format(0),                                                   // SNormal
            Format(1, align: HorizontalAlignmentValues.Center),          // SBold
            Format(1, 1, align: HorizontalAlignmentValues.Center, wrap: true), // SHead
            Format(0, 1, wrap: true),                                    // SText
            Format(0, 1, 3),                                             // SInteger: #,##0
            Format(0, 1, 4),                                             // SDecimal: #,##0.00
            Format(1, 1, wrap: true),                                    // STotalText
            Format(1, 1, 3),                                             // STotalInteger
            Format(1, 1, 4),                                             // STotalDecimal
            Format(2, align: HorizontalAlignmentValues.Center),          // SItalic
            Format(3, align: HorizontalAlignmentValues.Center))          // STitle
        { Count = 11U };
        return new Stylesheet(fonts, fills, borders, new CellStyleFormats(new CellFormat { FontId = 0U, FillId = 0U, BorderId = 0U }) { Count = 1U }, formats);
    }
}
