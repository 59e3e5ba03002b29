using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using Xunit;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Documents.Tests;

/// <summary>
/// 100 000 rows: the live managed heap, measured with a full collection every 10 000 rows while the document is
/// being written, must stay flat (not a timing test). A writer that buffered the sheet in memory (the ZipArchive
/// update mode an OpenXmlPackage uses) would hold the uncompressed XML — tens of megabytes — by the last sample.
/// </summary>
public sealed class LargeCatalogueTests
{
    private const int Rows = 100_000;
    private const long MaxGrowth = 8L << 20;

    [Fact]
    public void Xlsx_of_100k_rows_is_written_in_flat_memory()
    {
        var path = Path.Combine(Path.GetTempPath(), "archive-docs-" + Guid.NewGuid().ToString("N") + ".xlsx");
        try
        {
            var samples = new List<long>();
            long allocated;
            CatalogueTotals totals;
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                totals = OfficeDocuments.WriteCatalogueXlsx(Samples.Catalogue(), Sampled(Samples.Entries(Rows), samples), file);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }

            AssertFlat(samples, allocated, "xlsx", new FileInfo(path).Length);
            Assert.Equal(Rows, totals.Total);
            Assert.Equal(33_334, totals.Permanent);

            // Read back with the streaming reader: every row is there, the last one and the totals are right.
            using var doc = SpreadsheetDocument.Open(path, false);
            using var reader = OpenXmlReader.Create(doc.WorkbookPart!.WorksheetParts.Single());
            int rows = 0;
            string? lastNo = null, totalLine = null;
            while (reader.Read())
            {
                if (reader.ElementType == typeof(S.Row) && reader.IsStartElement)
                {
                    var row = (S.Row)reader.LoadCurrentElement()!;
                    rows++;
                    var first = row.Elements<S.Cell>().FirstOrDefault();
                    var text = first?.InlineString?.InnerText ?? first?.CellValue?.Text;
                    if (row.RowIndex!.Value == 10 + Rows)
                    {
                        lastNo = text;
                    }

                    if (text?.StartsWith("Tổng số:", StringComparison.Ordinal) == true)
                    {
                        totalLine = text;
                    }
                }
            }

            Assert.Equal("100000", lastNo);
            Assert.Equal("Tổng số: 100.000 (Một trăm nghìn) hồ sơ", totalLine);
            Assert.True(rows > Rows);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Docx_of_100k_rows_is_written_in_flat_memory()
    {
        var samples = new List<long>();
        using var sink = new MemoryStream();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var totals = OfficeDocuments.WriteCatalogueDocx(Samples.Catalogue(), Sampled(Samples.Entries(Rows), samples), new ForwardOnlyStream(sink));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The compressed output itself lives in the MemoryStream sink; take it out of the live-heap figures.
        AssertFlat(samples, allocated, "docx", sink.Length, allowance: sink.Capacity);
        Assert.Equal(Rows, totals.Total);
        sink.Position = 0;
        using var doc = WordprocessingDocument.Open(sink, false);
        using var reader = OpenXmlReader.Create(doc.MainDocumentPart!);
        var rows = 0;
        while (reader.Read())
        {
            if (reader.ElementType == typeof(W.TableRow) && reader.IsStartElement)
            {
                rows++;
            }
        }

        Assert.Equal(1 + 2 + Rows + 1, rows); // heading block, heading + number rows, data, signatures
    }

    private static IEnumerable<CatalogueEntry> Sampled(IEnumerable<CatalogueEntry> entries, List<long> samples)
    {
        var i = 0;
        foreach (var e in entries)
        {
            if (i++ % 10_000 == 0)
            {
                samples.Add(GC.GetTotalMemory(forceFullCollection: true));
            }

            yield return e;
        }

        samples.Add(GC.GetTotalMemory(forceFullCollection: true));
    }

    private static void AssertFlat(List<long> samples, long allocated, string kind, long fileBytes, long allowance = 0)
    {
        var growth = samples.Max() - samples[0] - allowance;
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: {Rows} rows, file {fileBytes / 1024} KiB, live-heap growth {growth / 1024} KiB, allocated {allocated / Rows} B/row");
        Assert.Equal(11, samples.Count);
        Assert.True(growth < MaxGrowth, $"{kind}: the live heap grew by {growth / 1024} KiB while writing {Rows} rows (limit {MaxGrowth / 1024} KiB): rows are being kept in memory.");

        // Allocation per row is bounded too (garbage, not growth): a guard against an accidental per-row blow-up.
        Assert.True(allocated / Rows < 32_768, $"{kind}: {allocated / Rows} bytes allocated per row.");
    }
}
