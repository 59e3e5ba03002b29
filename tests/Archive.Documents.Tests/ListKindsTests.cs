using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Documents.Tests;

/// <summary>
/// The list kinds beside the catalogue (issue #18 item 4): the file list (danh mục hồ sơ, 5 columns) and the document
/// catalogue (mục lục văn bản, 7 columns) print their own columns, heading blocks and totals in valid XLSX and DOCX,
/// and a 100 000-row file list is written in flat memory like the catalogue.
/// </summary>
public sealed class ListKindsTests
{
    [Theory]
    [InlineData(CatalogueKind.FileList, 5, "DANH MỤC HỒ SƠ", "Đơn vị/người lập hồ sơ", "E")]
    [InlineData(CatalogueKind.DocumentCatalogue, 7, "MỤC LỤC VĂN BẢN", "Tác giả văn bản", "G")]
    public void Each_kind_prints_its_own_columns_in_valid_xlsx_and_docx(CatalogueKind kind, int columns, string title, string creatorTitle, string lastColumn)
    {
        var ct = TestContext.Current.CancellationToken;
        var entries = Samples.Entries(12).Select(e => e with { Creator = "Văn phòng", Position = "3-4" }).ToList();

        using var xlsx = new MemoryStream();
        var totals = OfficeDocuments.WriteCatalogueXlsx(Samples.Catalogue(kind), entries, xlsx);
        Assert.Equal(12, totals.Total);
        xlsx.Position = 0;
        using (var book = SpreadsheetDocument.Open(xlsx, false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(book, ct));
            var sheet = book.WorkbookPart!.WorksheetParts.Single().Worksheet;
            Assert.Equal(columns, sheet.Descendants<S.Column>().Count());
            var texts = sheet.Descendants<S.InlineString>().Select(s => s.InnerText).ToList();
            Assert.Contains(title, texts);
            Assert.Contains(creatorTitle, texts);
            Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", texts);
            Assert.Contains(kind == CatalogueKind.DocumentCatalogue ? "Tổng số: 12 (Mười hai) văn bản" : "Tổng số: 12 (Mười hai) hồ sơ", texts);
            Assert.Equal(kind == CatalogueKind.FileList, texts.Any(t => t.StartsWith("Trong đó: Vĩnh viễn", StringComparison.Ordinal)));
            // Every merged range ends in the kind's last column, none beyond it.
            var merges = sheet.Descendants<S.MergeCell>().Select(m => m.Reference!.Value!).ToList();
            Assert.Contains(merges, m => m.Split(':')[1].StartsWith(lastColumn, StringComparison.Ordinal));
            Assert.DoesNotContain(merges, m => string.CompareOrdinal(m.Split(':')[1][..1], lastColumn) > 0);
        }

        using var docx = new MemoryStream();
        OfficeDocuments.WriteCatalogueDocx(Samples.Catalogue(kind), entries, docx);
        docx.Position = 0;
        using var word = WordprocessingDocument.Open(docx, false);
        Assert.Empty(new OpenXmlValidator().Validate(word, ct));
        var table = word.MainDocumentPart!.Document!.Body!.Elements<W.Table>().Single(t => t.InnerText.Contains(creatorTitle, StringComparison.Ordinal));
        Assert.Equal(columns, table.Elements<W.TableGrid>().Single().Elements<W.GridColumn>().Count());
        Assert.Equal(14003, table.Elements<W.TableGrid>().Single().Elements<W.GridColumn>().Sum(g => int.Parse(g.Width!.Value!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(creatorTitle, table.InnerText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_list_of_100k_rows_is_written_as_xlsx_in_flat_memory()
    {
        const int rows = 100_000;
        var samples = new List<long>();
        IEnumerable<CatalogueEntry> Sampled()
        {
            var i = 0;
            foreach (var e in Samples.Entries(rows))
            {
                if (i++ % 10_000 == 0)
                {
                    samples.Add(GC.GetTotalMemory(forceFullCollection: true));
                }

                yield return e with { Creator = "Văn phòng HĐND và UBND xã" };
            }

            samples.Add(GC.GetTotalMemory(forceFullCollection: true));
        }

        var totals = OfficeDocuments.WriteCatalogueXlsx(Samples.Catalogue(CatalogueKind.FileList), Sampled(), Stream.Null);
        Assert.Equal(rows, totals.Total);
        Assert.Equal(11, samples.Count);
        var growth = samples.Max() - samples[0];
        Assert.True(growth < 8L << 20, $"The live heap grew by {growth / 1024} KiB while writing {rows} rows: rows are being kept in memory.");
    }
}
