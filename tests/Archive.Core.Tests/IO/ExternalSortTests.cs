using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Archive.IO;
using Xunit;

namespace Archive.Core.Tests.IO;

/// <summary>The on-disk sort behind catalogues of a whole fonds (issue #18: 100,000 rows in flat memory).</summary>
public sealed class ExternalSortTests : IDisposable
{
    private static readonly JsonTypeInfo<Row> RowJson = (JsonTypeInfo<Row>)new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() }.GetTypeInfo(typeof(Row));
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "archive-sort-" + Guid.NewGuid().ToString("N"));

    public sealed record Row(int Key, string Title);

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 3)]
    [InlineData(7, 3)]
    [InlineData(9, 3)]
    [InlineData(1000, 64)]
    public void Every_item_comes_back_once_in_order_whatever_the_runs(int count, int runSize)
    {
        var keys = Enumerable.Range(0, count).Select(i => (i * 7919) % Math.Max(count, 1) / 2).ToArray(); // shuffled, with ties
        using var sort = new ExternalSort<Row>(Comparer<Row>.Create((a, b) => a.Key.CompareTo(b.Key)), RowJson, _folder, runSize);
        foreach (var k in keys)
        {
            sort.Add(new Row(k, "Hồ sơ số " + k + " — \"trích\"\n\u0000"));
        }

        Assert.Equal(count / runSize, sort.RunCount);
        var sorted = sort.Sorted().ToList();
        Assert.Equal(keys.Order(), sorted.Select(r => r.Key));
        Assert.All(sorted, r => Assert.Equal("Hồ sơ số " + r.Key + " — \"trích\"\n\u0000", r.Title));
    }

    [Fact]
    public void Run_files_are_gone_once_disposed_even_when_not_read()
    {
        var sort = new ExternalSort<Row>(Comparer<Row>.Create((a, b) => a.Key.CompareTo(b.Key)), RowJson, _folder, 2);
        for (var i = 0; i < 10; i++)
        {
            sort.Add(new Row(i, "x"));
        }

        Assert.Equal(5, Directory.GetFiles(_folder, "sort-*.run").Length);
        sort.Dispose();
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void A_hundred_thousand_rows_sort_in_flat_memory()
    {
        const int count = 100_000;
        var title = new string('h', 200);
        var samples = new List<long> { GC.GetTotalMemory(forceFullCollection: true) };
        using (var sort = new ExternalSort<Row>(Comparer<Row>.Create((a, b) => a.Key.CompareTo(b.Key)), RowJson, _folder))
        {
            for (var i = 0; i < count; i++)
            {
                // Distinct strings, as rows read from storage would be (~0.5 KB each: 50 MB if all were held).
                sort.Add(new Row((int)((i * 2654435761L) % count), title + i));
                if (i % 10_000 == 0)
                {
                    samples.Add(GC.GetTotalMemory(forceFullCollection: true));
                }
            }

            var n = 0;
            var previous = -1;
            foreach (var row in sort.Sorted())
            {
                Assert.True(row.Key >= previous);
                previous = row.Key;
                if (n++ % 10_000 == 0)
                {
                    samples.Add(GC.GetTotalMemory(forceFullCollection: true));
                }
            }

            Assert.Equal(count, n);
        }

        Assert.True(samples.Max() - samples[0] < 16L << 20, $"The live heap grew by {(samples.Max() - samples[0]) / 1024} KiB while sorting {count} rows.");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
