using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Archive.Documents;

/// <summary>Writes a catalogue as an XLSX workbook, one row at a time.</summary>
internal static class XlsxCatalogueWriter
{
    internal const string SheetName = "Danh sách";
    internal const string MainContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";
    private const string WorksheetContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
    private const string StylesContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";

    /// <summary>Column headings, in order (<see cref="CatalogueDocument.Columns"/>: 9 columns A to I for the catalogues of record files).</summary>
    internal static string[] Columns(CatalogueDocument doc) => [.. doc.ColumnTitles.Select(Fmt.Clean)];

    private static readonly string[] Letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];

    /// <summary>A column's width (character units) in this kind of catalogue.</summary>
    private static double Width(CatalogueKind kind, CatalogueColumn column) => column switch
    {
        CatalogueColumn.Number => 6,
        CatalogueColumn.Notation => kind == CatalogueKind.FileList ? 16 : 15,
        CatalogueColumn.Title => kind == CatalogueKind.FileList ? 60 : kind == CatalogueKind.DocumentCatalogue ? 50 : 46,
        CatalogueColumn.StartDate or CatalogueColumn.EndDate => 11.5,
        CatalogueColumn.Retention => 12,
        CatalogueColumn.Sheets => 7,
        CatalogueColumn.Pages => 7.5,
        CatalogueColumn.Creator => 24,
        CatalogueColumn.Position => 9,
        _ => 26,
    };

    /// <summary>Where the heading's two blocks go: the agency on the left (first to <c>LeftEnd</c>), the national title on the right (<c>RightStart</c> to the last column).</summary>
    private static (int LeftEnd, int RightStart) HeadingBlocks(int columns) => columns >= 9 ? (2, 4) : columns >= 7 ? (2, 3) : (1, 2);

    // Cell formats (index into CellFormats, see Styles()); the location report prints with the same stylesheet.
    internal const uint SAgency = 1, SAgencyBold = 2, SNational = 3, SMotto = 4, STitle = 5, SSubtitle = 6,
        SHead = 7, SText = 8, SCenter = 9, SNumber = 10, STotal = 11, SNormal = 12, SItalic = 13, SSignTitle = 14,
        SDate = 15, SColumnNo = 16;

    public static CatalogueTotals Write(CatalogueDocument doc, IEnumerable<CatalogueEntry> entries, Stream output)
    {
        CatalogueTotals? totals = null;
        using (var package = new OfficePackage(output))
        {
            var styles = package.Write("/xl/styles.xml", StylesContentType, w => w.WriteElement(Styles()));
            var sheet = package.Write("/xl/worksheets/sheet1.xml", WorksheetContentType, w => totals = WriteSheet(w, doc, entries, out _));
            var headerRow = HeaderRowIndex(doc);
            var workbook = package.Write("/xl/workbook.xml", MainContentType, w =>
            {
                w.WriteElement(new Workbook(
                    new Sheets(new Sheet { Name = SheetName, SheetId = 1U, Id = "rId1" }),
                    new DefinedNames(new DefinedName($"'{SheetName}'!${headerRow}:${headerRow + 1}") { Name = "_xlnm.Print_Titles", LocalSheetId = 0U })));
            });
            workbook.CreateRelationship(new Uri("worksheets/sheet1.xml", UriKind.Relative), System.IO.Packaging.TargetMode.Internal, OfficePackage.WorksheetRel, "rId1");
            workbook.CreateRelationship(new Uri("styles.xml", UriKind.Relative), System.IO.Packaging.TargetMode.Internal, OfficePackage.StylesRel, "rId2");
            _ = styles;
            _ = sheet;
            package.RelateMain(workbook);
            package.WriteCoreProperties(doc.EffectiveTitle, doc.Heading.AgencyName);
        }

        return totals!;
    }

    /// <summary>1-based index of the column-heading row.</summary>
    internal static int HeaderRowIndex(CatalogueDocument doc) => 7 + doc.Subtitles.Count;

    private static CatalogueTotals WriteSheet(OpenXmlWriter w, CatalogueDocument doc, IEnumerable<CatalogueEntry> entries, out int lastRow)
    {
        var headerRow = HeaderRowIndex(doc);
        var merges = new List<string>();
        w.WriteStartElement(new Worksheet());
        w.WriteElement(new SheetProperties(new PageSetupProperties { FitToPage = true }));
        w.WriteElement(new SheetViews(new SheetView(
            new Pane { VerticalSplit = headerRow + 1, TopLeftCell = "A" + (headerRow + 2).ToString(CultureInfo.InvariantCulture), ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen })
        { WorkbookViewId = 0U, ShowGridLines = false }));
        var layout = doc.Columns;
        var widths = layout.Select(c => Width(doc.Kind, c)).ToArray();
        var last = Letters[layout.Count - 1];
        var (leftEnd, rightStart) = HeadingBlocks(layout.Count);
        var cols = new Columns();
        for (var i = 0; i < widths.Length; i++)
        {
            cols.Append(new Column { Min = (uint)(i + 1), Max = (uint)(i + 1), Width = widths[i], CustomWidth = true });
        }

        w.WriteElement(cols);
        w.WriteStartElement(new SheetData());
        var row = 0;

        void Line(uint style, string text, double? height = null)
        {
            row++;
            Row(w, row, height, (0, text, style));
            merges.Add($"A{row}:{last}{row}");
        }

        // Heading block: agency on the left (A:C for 9 columns), national title on the right (E:I for 9 columns).
        var heading = doc.Heading;
        var left1 = heading.ParentAgencyName is { } parent ? Fmt.Upper(parent) : Fmt.Upper(heading.AgencyName);
        var left2 = heading.ParentAgencyName is null ? string.Empty : Fmt.Upper(heading.AgencyName);
        Row(w, ++row, 18, (0, left1, heading.ParentAgencyName is null ? SAgencyBold : SAgency), (rightStart, Fmt.NationalTitle, SNational));
        Row(w, ++row, 18, (0, left2, SAgencyBold), (rightStart, Fmt.Motto, SMotto));
        Row(w, ++row, 18, (0, heading.Number is { } n ? "Số: " + Fmt.Clean(n) : string.Empty, SAgency), (rightStart, heading.Date is null && heading.Place is null ? string.Empty : Fmt.PlaceAndDate(heading.Place, heading.Date), SItalic));
        for (var r = 1; r <= 3; r++)
        {
            merges.Add($"A{r}:{Letters[leftEnd]}{r}");
            merges.Add($"{Letters[rightStart]}{r}:{last}{r}");
        }
        row++;
        Line(STitle, Fmt.Clean(doc.EffectiveTitle), 21);
        foreach (var s in doc.Subtitles)
        {
            Line(SSubtitle, Fmt.Clean(s));
        }

        row++;

        // Column headings (repeated on every printed page) and column numbers.
        var columns = Columns(doc);
        row = headerRow;
        Row(w, row, 48, columns.Select((c, i) => (i, c, SHead)).ToArray());
        row++;
        Row(w, row, null, columns.Select((_, i) => (i, "(" + (i + 1).ToString(CultureInfo.InvariantCulture) + ")", SColumnNo)).ToArray());

        int total = 0, permanent = 0;
        long sheets = 0, pages = 0;
        var cell = new Cell();
        foreach (var e in entries)
        {
            ArgumentNullException.ThrowIfNull(e);
            row++;
            total++;
            permanent += e.IsPermanent ? 1 : 0;
            sheets += e.Sheets ?? 0;
            pages += e.Pages ?? 0;
            var r = row.ToString(CultureInfo.InvariantCulture);
            // Spreadsheet applications do not grow wrapped rows when they open a file: estimate the height from
            // the longest wrapped text (Times New Roman 12 fits about one character per width unit).
            var lines = 1;
            for (var i = 0; i < layout.Count; i++)
            {
                if (layout[i] is CatalogueColumn.Title or CatalogueColumn.Notes or CatalogueColumn.Notation or CatalogueColumn.Creator)
                {
                    lines = Math.Max(lines, Lines(Fmt.Clean(Text(e, layout[i])), widths[i]));
                }
            }

            w.WriteStartElement(new Row { RowIndex = (uint)row, Height = Math.Min(409, (lines * 15.6) + 3), CustomHeight = true });
            for (var i = 0; i < layout.Count; i++)
            {
                var reference = Letters[i] + r;
                switch (layout[i])
                {
                    case CatalogueColumn.Number:
                        NumberCell(w, cell, reference, total, SCenter);
                        break;
                    case CatalogueColumn.StartDate:
                        DateCell(w, cell, reference, e.StartDate);
                        break;
                    case CatalogueColumn.EndDate:
                        DateCell(w, cell, reference, e.EndDate);
                        break;
                    case CatalogueColumn.Sheets:
                        NumberCell(w, cell, reference, e.Sheets, SNumber);
                        break;
                    case CatalogueColumn.Pages:
                        NumberCell(w, cell, reference, e.Pages, SNumber);
                        break;
                    case CatalogueColumn.Notation or CatalogueColumn.Retention or CatalogueColumn.Position:
                        TextCell(w, cell, reference, Fmt.Clean(Text(e, layout[i])), SCenter);
                        break;
                    default:
                        TextCell(w, cell, reference, Fmt.Clean(Text(e, layout[i])), SText);
                        break;
                }
            }

            w.WriteEndElement();
        }

        var totals = new CatalogueTotals(total, permanent, total - permanent, sheets, pages);
        row++;
        Line(STotal, doc.TotalLine(totals));
        if (doc.PrintsRetentionSplit)
        {
            Line(SNormal, totals.SplitLine);
        }

        if (doc.Kind is CatalogueKind.DepositCatalogue or CatalogueKind.DestructionList)
        {
            Line(SNormal, "Tổng số tờ: " + Fmt.Number(sheets) + "; tổng số trang: " + Fmt.Number(pages));
        }

        if (doc.Signatures.Count > 0)
        {
            row++;
            row++;
            Row(w, row, null, (rightStart, Fmt.PlaceAndDate(heading.Place, heading.Date), SItalic));
            merges.Add($"{Letters[rightStart]}{row}:{last}{row}");
            var blocks = doc.Signatures.Count == 1 ? [(rightStart, Letters[rightStart], last)] : new[] { (0, "A", Letters[leftEnd]), (rightStart, Letters[rightStart], last) };
            var sigs = doc.Signatures.Take(2).ToList();
            row++;
            Row(w, row, null, sigs.Select((s, i) => (blocks[i].Item1, Fmt.Upper(s.Title), SSignTitle)).ToArray());
            row++;
            Row(w, row, null, sigs.Select((_, i) => (blocks[i].Item1, "(Ký, ghi rõ họ tên)", SItalic)).ToArray());
            row += 4;
            Row(w, row, null, sigs.Select((s, i) => (blocks[i].Item1, Fmt.Clean(s.FullName), SSignTitle)).ToArray());
            foreach (var r in new[] { row - 5, row - 4, row })
            {
                merges.AddRange(sigs.Select((_, i) => $"{blocks[i].Item2}{r}:{blocks[i].Item3}{r}"));
            }
        }

        EndSheet(w, merges);
        lastRow = row;
        return totals;
    }

    /// <summary>Closes the sheet data and the worksheet: merged cells, A4 landscape fitted to the width, "Trang P/N" footer.</summary>
    internal static void EndSheet(OpenXmlWriter w, IReadOnlyCollection<string> merges)
    {
        w.WriteEndElement(); // sheetData
        var mergeCells = new MergeCells { Count = (uint)merges.Count };
        foreach (var m in merges)
        {
            mergeCells.Append(new MergeCell { Reference = m });
        }

        w.WriteElement(mergeCells);
        w.WriteElement(new PrintOptions { HorizontalCentered = true });
        w.WriteElement(new PageMargins { Left = 0.98, Right = 0.59, Top = 0.79, Bottom = 0.79, Header = 0.3, Footer = 0.3 });
        w.WriteElement(new PageSetup { PaperSize = 9U, Orientation = OrientationValues.Landscape, FitToWidth = 1U, FitToHeight = 0U });
        w.WriteElement(new HeaderFooter(new OddFooter("&C&\"Times New Roman,Regular\"&11Trang &P/&N")));
        w.WriteEndElement(); // worksheet
    }

    /// <summary>The text of a column of an entry (numbers and dates as printed in a DOCX or CSV).</summary>
    internal static string? Text(CatalogueEntry e, CatalogueColumn column) => column switch
    {
        CatalogueColumn.Notation => e.FileNotation,
        CatalogueColumn.Title => e.Title,
        CatalogueColumn.StartDate => Fmt.Date(e.StartDate),
        CatalogueColumn.EndDate => Fmt.Date(e.EndDate),
        CatalogueColumn.Retention => e.Retention,
        CatalogueColumn.Sheets => e.Sheets?.ToString(CultureInfo.InvariantCulture),
        CatalogueColumn.Pages => e.Pages?.ToString(CultureInfo.InvariantCulture),
        CatalogueColumn.Notes => e.Notes,
        CatalogueColumn.Creator => e.Creator,
        CatalogueColumn.Position => e.Position,
        _ => null,
    };

    private static int Lines(string? text, double width) => string.IsNullOrEmpty(text) ? 1 : (int)Math.Ceiling(text.Length / Math.Max(1, width - 2));

    /// <summary>Writes a row of text cells (column index, text, cell format); <paramref name="height"/> in points, or automatic.</summary>
    internal static void Row(OpenXmlWriter w, int row, double? height, params (int Column, string Text, uint Style)[] cells)
    {
        var r = new Row { RowIndex = (uint)row };
        if (height is { } h)
        {
            r.Height = h;
            r.CustomHeight = true;
        }

        w.WriteStartElement(r);
        var cell = new Cell();
        foreach (var (column, text, style) in cells)
        {
            TextCell(w, cell, Letters[column] + row.ToString(CultureInfo.InvariantCulture), text, style);
        }

        w.WriteEndElement();
    }

    private static void TextCell(OpenXmlWriter w, Cell cell, string reference, string text, uint style)
    {
        cell.RemoveAllChildren();
        cell.CellReference = reference;
        cell.StyleIndex = style;
        if (text.Length > 32767)
        {
            text = text[..32767];
        }

        cell.DataType = CellValues.InlineString;
        var t = new DocumentFormat.OpenXml.Spreadsheet.Text(text);
        if (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])))
        {
            t.Space = SpaceProcessingModeValues.Preserve;
        }

        cell.AppendChild(new InlineString(t));
        w.WriteElement(cell);
    }

    private static void NumberCell(OpenXmlWriter w, Cell cell, string reference, long? value, uint style)
    {
        cell.RemoveAllChildren();
        cell.CellReference = reference;
        cell.StyleIndex = style;
        cell.DataType = null;
        if (value is { } v)
        {
            cell.AppendChild(new CellValue(v.ToString(CultureInfo.InvariantCulture)));
        }

        w.WriteElement(cell);
    }

    private static void DateCell(OpenXmlWriter w, Cell cell, string reference, DateOnly? value)
    {
        cell.RemoveAllChildren();
        cell.CellReference = reference;
        cell.StyleIndex = SDate;
        cell.DataType = null;
        if (value is { } d)
        {
            // Serial day number (1900 date system; serial 60 is the fictitious 29/02/1900, so count from 30/12/1899).
            cell.AppendChild(new CellValue((d.DayNumber - new DateOnly(1899, 12, 30).DayNumber).ToString(CultureInfo.InvariantCulture)));
        }

        w.WriteElement(cell);
    }

    internal static Stylesheet Styles()
    {
        static Font F(double size, bool bold = false, bool italic = false, bool underline = false)
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

            if (underline)
            {
                f.Append(new Underline());
            }

            f.Append(new FontSize { Val = size }, new FontName { Val = "Times New Roman" }, new FontFamilyNumbering { Val = 1 }, new FontCharSet { Val = 163 });
            return f;
        }

        var fonts = new Fonts(
            F(12), // 0 table text
            F(13), // 1 normal
            F(13, bold: true), // 2 bold 13
            F(14, bold: true), // 3 title
            F(14, bold: true, underline: true), // 4 motto
            F(13, italic: true), // 5 italic
            F(12, bold: true), // 6 table heading
            F(11, italic: true)); // 7 column numbers
        var thin = new Border(
            new LeftBorder { Style = BorderStyleValues.Thin, Color = new Color { Indexed = 64U } },
            new RightBorder { Style = BorderStyleValues.Thin, Color = new Color { Indexed = 64U } },
            new TopBorder { Style = BorderStyleValues.Thin, Color = new Color { Indexed = 64U } },
            new BottomBorder { Style = BorderStyleValues.Thin, Color = new Color { Indexed = 64U } },
            new DiagonalBorder());
        static CellFormat X(uint font, uint border, HorizontalAlignmentValues h, VerticalAlignmentValues v, bool wrap, uint numFmt = 0)
        {
            return new CellFormat(new Alignment { Horizontal = h, Vertical = v, WrapText = wrap })
            {
                FontId = font, FillId = 0U, BorderId = border, NumberFormatId = numFmt, FormatId = 0U,
                ApplyFont = true, ApplyBorder = border != 0, ApplyAlignment = true, ApplyNumberFormat = numFmt != 0,
            };
        }

        var c = HorizontalAlignmentValues.Center;
        var l = HorizontalAlignmentValues.Left;
        var r = HorizontalAlignmentValues.Right;
        var vc = VerticalAlignmentValues.Center;
        var vt = VerticalAlignmentValues.Top;
        var formats = new CellFormats(
            new CellFormat { FontId = 0U, FillId = 0U, BorderId = 0U, NumberFormatId = 0U, FormatId = 0U }, // 0
            X(1, 0, c, vc, true), // 1 SAgency
            X(2, 0, c, vc, true), // 2 SAgencyBold
            X(2, 0, c, vc, false), // 3 SNational
            X(4, 0, c, vc, false), // 4 SMotto
            X(3, 0, c, vc, true), // 5 STitle
            X(1, 0, c, vc, true), // 6 SSubtitle
            X(6, 1, c, vc, true), // 7 SHead
            X(0, 1, l, vt, true), // 8 SText
            X(0, 1, c, vt, true), // 9 SCenter
            X(0, 1, r, vt, false), // 10 SNumber
            X(2, 0, l, vc, false), // 11 STotal
            X(1, 0, l, vc, false), // 12 SNormal
            X(5, 0, c, vc, false), // 13 SItalic
            X(2, 0, c, vc, false), // 14 SSignTitle
            X(0, 1, c, vt, false, 164), // 15 SDate
            X(7, 1, c, vc, false)); // 16 SColumnNo
        return new Stylesheet(
            new NumberingFormats(new NumberingFormat { NumberFormatId = 164U, FormatCode = "dd/mm/yyyy" }) { Count = 1U },
            fonts,
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
            new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder()), thin),
            new CellStyleFormats(new CellFormat { FontId = 0U, FillId = 0U, BorderId = 0U, NumberFormatId = 0U }),
            formats,
            new CellStyles(new CellStyle { Name = "Normal", FormatId = 0U, BuiltinId = 0U }));
    }
}
