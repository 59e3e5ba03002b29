using System.Globalization;
using System.IO.Packaging;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Documents;

/// <summary>Building blocks of the DOCX documents: package layout, styles, heading block, signatures, page setup.</summary>
internal static class Docx
{
    internal const string MainContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
    private const string StylesContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml";
    private const string FooterContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml";

    internal const string TableText = "TableText";
    internal const string TableHead = "TableHead";

    // A4 in twentieths of a point.
    private const int A4Short = 11906, A4Long = 16838;

    /// <summary>Usable width (twips) of a page: A4 with margins left 30 mm, right 20 mm (Decree 30).</summary>
    internal static int TextWidth(bool landscape) => (landscape ? A4Long : A4Short) - 1701 - 1134;

    /// <summary>Writes a DOCX: styles, footer (page numbers), then the body written by <paramref name="body"/>.</summary>
    internal static void Write(Stream output, string title, string? creator, bool landscape, Action<OpenXmlWriter> body)
    {
        using var package = new OfficePackage(output);
        package.Write("/word/styles.xml", StylesContentType, w => w.WriteElement(Styles()));
        package.Write("/word/footer1.xml", FooterContentType, w => w.WriteElement(Footer()));
        var main = package.Write("/word/document.xml", MainContentType, w =>
        {
            w.WriteStartElement(new Document());
            w.WriteStartElement(new Body());
            body(w);
            w.WriteElement(Section(landscape));
            w.WriteEndElement();
            w.WriteEndElement();
        });
        main.CreateRelationship(new Uri("styles.xml", UriKind.Relative), TargetMode.Internal, OfficePackage.StylesRel, "rId1");
        main.CreateRelationship(new Uri("footer1.xml", UriKind.Relative), TargetMode.Internal, OfficePackage.FooterRel, "rId2");
        package.RelateMain(main);
        package.WriteCoreProperties(title, creator);
    }

    private static SectionProperties Section(bool landscape) => new(
        new FooterReference { Type = HeaderFooterValues.Default, Id = "rId2" },
        landscape
            ? new PageSize { Width = (UInt32Value)(uint)A4Long, Height = (UInt32Value)(uint)A4Short, Orient = PageOrientationValues.Landscape }
            : new PageSize { Width = (UInt32Value)(uint)A4Short, Height = (UInt32Value)(uint)A4Long },
        new PageMargin { Top = 1134, Bottom = 1134, Left = 1701U, Right = 1134U, Header = 567U, Footer = 567U, Gutter = 0U });

    /// <summary>A paragraph of one run.</summary>
    internal static Paragraph P(string text, JustificationValues? align = null, bool bold = false, bool italic = false, int? size = null, bool underline = false, string? style = null, int after = 0, int? firstLine = null, bool keepNext = false)
    {
        var pp = new ParagraphProperties();
        if (style is not null)
        {
            pp.Append(new ParagraphStyleId { Val = style });
        }

        if (keepNext)
        {
            pp.Append(new KeepNext());
        }

        pp.Append(new SpacingBetweenLines { After = after.ToString(System.Globalization.CultureInfo.InvariantCulture), Before = "0" });
        if (firstLine is { } fl)
        {
            pp.Append(new Indentation { FirstLine = fl.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        if (align is { } a)
        {
            pp.Append(new Justification { Val = a });
        }

        var p = new Paragraph(pp);
        if (text.Length > 0)
        {
            p.Append(R(text, bold, italic, size, underline));
        }

        return p;
    }

    /// <summary>A run.</summary>
    internal static Run R(string text, bool bold = false, bool italic = false, int? size = null, bool underline = false)
    {
        var run = new Run();
        if (bold || italic || size is not null || underline)
        {
            var rp = new RunProperties();
            if (bold)
            {
                rp.Append(new Bold());
            }

            if (italic)
            {
                rp.Append(new Italic());
            }

            if (size is { } s)
            {
                rp.Append(new FontSize { Val = (s * 2).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }

            if (underline)
            {
                rp.Append(new Underline { Val = UnderlineValues.Single });
            }

            run.Append(rp);
        }

        run.Append(new Text(text) { Space = SpaceProcessingModeValues.Preserve });
        return run;
    }

    /// <summary>The heading block: agency (left), national title and motto (right), number and place/date.</summary>
    /// <summary>Opens a ruled table of fixed column widths (twips) and writes its properties and grid; the caller writes the rows and closes it.</summary>
    internal static void StartRuledTable(OpenXmlWriter w, IReadOnlyList<int> widths)
    {
        var border = BorderValues.Single;
        w.WriteStartElement(new Table());
        w.WriteElement(new TableProperties(
            new TableWidth { Width = widths.Sum().ToString(CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa },
            new TableBorders(
                new TopBorder { Val = border, Size = 4U },
                new LeftBorder { Val = border, Size = 4U },
                new BottomBorder { Val = border, Size = 4U },
                new RightBorder { Val = border, Size = 4U },
                new InsideHorizontalBorder { Val = border, Size = 4U },
                new InsideVerticalBorder { Val = border, Size = 4U }),
            new TableLayout { Type = TableLayoutValues.Fixed }));
        var grid = new TableGrid();
        foreach (var width in widths)
        {
            grid.Append(new GridColumn { Width = width.ToString(CultureInfo.InvariantCulture) });
        }

        w.WriteElement(grid);
    }

    internal static Table Heading(DocumentHeading heading, bool landscape)
    {
        var width = TextWidth(landscape);
        var leftWidth = landscape ? width * 2 / 5 : width * 3 / 8;
        var rightWidth = width - leftWidth;
        var left = new TableCell(new TableCellProperties(new TableCellWidth { Width = leftWidth.ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa }));
        if (heading.ParentAgencyName is { } parent)
        {
            left.Append(P(Fmt.Upper(parent), JustificationValues.Center, size: 12));
        }

        left.Append(P(Fmt.Upper(heading.AgencyName), JustificationValues.Center, bold: true, size: 12));
        left.Append(P(heading.Number is { } n ? "Số: " + Fmt.Clean(n) : string.Empty, JustificationValues.Center, size: 13));
        var right = new TableCell(
            new TableCellProperties(new TableCellWidth { Width = rightWidth.ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa }),
            P(Fmt.NationalTitle, JustificationValues.Center, bold: true, size: 12),
            P(Fmt.Motto, JustificationValues.Center, bold: true, size: 13, underline: true, after: 120),
            P(Fmt.PlaceAndDate(heading.Place, heading.Date), JustificationValues.Center, italic: true, size: 14));
        return new Table(
            new TableProperties(
                new TableWidth { Width = width.ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa },
                new TableBorders(new TopBorder { Val = BorderValues.None }, new LeftBorder { Val = BorderValues.None }, new BottomBorder { Val = BorderValues.None }, new RightBorder { Val = BorderValues.None }, new InsideHorizontalBorder { Val = BorderValues.None }, new InsideVerticalBorder { Val = BorderValues.None }),
                new TableLayout { Type = TableLayoutValues.Fixed }),
            new TableGrid(new GridColumn { Width = leftWidth.ToString(System.Globalization.CultureInfo.InvariantCulture) }, new GridColumn { Width = rightWidth.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            new TableRow(left, right));
    }

    /// <summary>Signature blocks side by side: title, "(Ký, ghi rõ họ tên)", room to sign, name.</summary>
    internal static Table Signatures(IReadOnlyList<Signature> signatures, bool landscape, string hint = "(Ký, ghi rõ họ tên)")
    {
        var width = TextWidth(landscape);
        var n = Math.Max(1, signatures.Count);
        var each = width / n;
        var grid = new TableGrid();
        var row = new TableRow(new TableRowProperties(new CantSplit()));
        foreach (var s in signatures)
        {
            grid.Append(new GridColumn { Width = each.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            row.Append(new TableCell(
                new TableCellProperties(new TableCellWidth { Width = each.ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa }),
                P(Fmt.Upper(s.Title), JustificationValues.Center, bold: true, keepNext: true),
                P(hint, JustificationValues.Center, italic: true, keepNext: true),
                P(string.Empty, keepNext: true),
                P(string.Empty, keepNext: true),
                P(string.Empty, keepNext: true),
                P(string.Empty, keepNext: true),
                P(Fmt.Clean(s.FullName), JustificationValues.Center, bold: true)));
        }

        return new Table(
            new TableProperties(
                new TableWidth { Width = width.ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa },
                new TableBorders(new TopBorder { Val = BorderValues.None }, new LeftBorder { Val = BorderValues.None }, new BottomBorder { Val = BorderValues.None }, new RightBorder { Val = BorderValues.None }, new InsideHorizontalBorder { Val = BorderValues.None }, new InsideVerticalBorder { Val = BorderValues.None }),
                new TableLayout { Type = TableLayoutValues.Fixed }),
            grid,
            row);
    }

    private static Footer Footer() => new(
        new Paragraph(
            new ParagraphProperties(new Justification { Val = JustificationValues.Center }),
            new Run(new RunProperties(new FontSize { Val = "22" }), new Text("Trang ") { Space = SpaceProcessingModeValues.Preserve }),
            new Run(new RunProperties(new FontSize { Val = "22" }), new FieldChar { FieldCharType = FieldCharValues.Begin }),
            new Run(new RunProperties(new FontSize { Val = "22" }), new FieldCode(" PAGE ") { Space = SpaceProcessingModeValues.Preserve }),
            new Run(new RunProperties(new FontSize { Val = "22" }), new FieldChar { FieldCharType = FieldCharValues.Separate }),
            new Run(new RunProperties(new FontSize { Val = "22" }), new Text("1")),
            new Run(new RunProperties(new FontSize { Val = "22" }), new FieldChar { FieldCharType = FieldCharValues.End })));

    private static Styles Styles()
    {
        var fonts = new RunFonts { Ascii = "Times New Roman", HighAnsi = "Times New Roman", ComplexScript = "Times New Roman", EastAsia = "Times New Roman" };
        return new Styles(
            new DocDefaults(
                new RunPropertiesDefault(new RunPropertiesBaseStyle(fonts, new FontSize { Val = "28" }, new FontSizeComplexScript { Val = "28" }, new Languages { Val = "vi-VN" })),
                new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(new SpacingBetweenLines { After = "0", Line = "264", LineRule = LineSpacingRuleValues.Auto }))),
            new Style(new StyleName { Val = "Normal" }, new PrimaryStyle()) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true },
            new Style(
                new StyleName { Val = "Table Text" },
                new BasedOn { Val = "Normal" },
                new StyleParagraphProperties(new SpacingBetweenLines { Before = "40", After = "40", Line = "240", LineRule = LineSpacingRuleValues.Auto }),
                new StyleRunProperties(new FontSize { Val = "24" }, new FontSizeComplexScript { Val = "24" }))
            { Type = StyleValues.Paragraph, StyleId = TableText, CustomStyle = true },
            new Style(
                new StyleName { Val = "Table Heading" },
                new BasedOn { Val = TableText },
                new StyleParagraphProperties(new Justification { Val = JustificationValues.Center }),
                new StyleRunProperties(new Bold()))
            { Type = StyleValues.Paragraph, StyleId = TableHead, CustomStyle = true },
            new Style(new StyleName { Val = "Normal Table" }, new PrimaryStyle(), new StyleTableProperties(new TableIndentation { Width = 0, Type = TableWidthUnitValues.Dxa }, new TableCellMarginDefault(new TopMargin { Width = "0", Type = TableWidthUnitValues.Dxa }, new TableCellLeftMargin { Width = 80, Type = TableWidthValues.Dxa }, new BottomMargin { Width = "0", Type = TableWidthUnitValues.Dxa }, new TableCellRightMargin { Width = 80, Type = TableWidthValues.Dxa })))
            { Type = StyleValues.Table, StyleId = "TableNormal", Default = true });
    }
}
