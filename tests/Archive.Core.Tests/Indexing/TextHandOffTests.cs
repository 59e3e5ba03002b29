using System.Security.Cryptography;
using System.Text;
using Archive.Core.Tests.Records;
using Archive.Indexing;
using Archive.Records;
using Archive.Testing.Support;
using Xunit;

namespace Archive.Core.Tests.Indexing;

/// <summary>
/// Extracted texts handed from the write to the background projection (#23 lag): used only for the very bytes the
/// package holds, taken once per offer, bounded, and never needed for a correct index.
/// </summary>
public sealed class TextHandOffTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static string Sha(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private static ExtractedPage[] Pages(string text, int chars = 0) => [new ExtractedPage(chars > 0 ? new string('a', chars) : text)];

    [Fact]
    public void A_text_is_taken_once_per_offer_and_only_under_its_digest()
    {
        var handOff = new TextHandOff(1_000_000);
        var pages = Pages("Tờ trình");
        handOff.Offer(Sha("a"), pages);
        handOff.Offer(Sha("a"), pages); // the same text filed twice

        Assert.Null(handOff.Take(Sha("b")));
        Assert.Null(handOff.Take(null));
        Assert.Same(pages[0], Assert.Single(handOff.Take(Sha("a"))!));
        Assert.NotNull(handOff.Take(Sha("a")));
        Assert.Null(handOff.Take(Sha("a")));
        Assert.Equal(0, handOff.Chars);
        Assert.Equal((2, 3), (handOff.Hits, handOff.Misses));
    }

    [Fact]
    public void The_oldest_texts_go_first_when_the_cap_is_reached_and_a_text_larger_than_the_cap_is_not_held()
    {
        var handOff = new TextHandOff(300);
        handOff.Offer(Sha("1"), Pages("", 100));
        handOff.Offer(Sha("2"), Pages("", 100));
        handOff.Offer(Sha("3"), Pages("", 100)); // 3 × (100 + 16) > 300: the first goes
        handOff.Offer(Sha("4"), Pages("", 400)); // larger than the cap: not held, nothing evicted for it
        Assert.True(handOff.Chars <= 300);
        Assert.Null(handOff.Take(Sha("1")));
        Assert.Null(handOff.Take(Sha("4")));
        Assert.NotNull(handOff.Take(Sha("2")));
        Assert.NotNull(handOff.Take(Sha("3")));
        Assert.Equal(0, handOff.Chars);
    }

    [Fact]
    public void Text_that_json_would_change_is_not_offered_and_a_zero_cap_turns_the_hand_off_off()
    {
        var handOff = new TextHandOff(1_000);
        handOff.Offer(Sha("lone"), [new ExtractedPage("a\uD800b")]); // a lone surrogate is written as U+FFFD
        handOff.Offer(Sha("label"), [new ExtractedPage("a", "\uDC00")]);
        Assert.Equal(0, handOff.Chars);

        var off = new TextHandOff(0);
        off.Offer(Sha("a"), Pages("x"));
        Assert.False(off.Enabled);
        Assert.Null(off.Take(Sha("a")));
    }

    [Fact]
    public async Task The_projection_of_a_new_document_takes_its_text_from_the_write_and_finds_its_words()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.TRAO"), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.ProjectedAsync();
        var before = (h.Indexer.HandOff.Hits, h.Indexer.HandOff.Misses);

        var stored = (await h.Files.AddDocumentAsync(code, Filing("01", "Tờ trình về việc sáp nhập Sở Khoa học và Công nghệ"), null, ArchiveHarness.User, ct)).Stored;
        Assert.Equal(ProjectionState.Searchable, (await h.Files.WaitSearchableAsync(code, stored.Version, Long, ct)).State);

        Assert.Equal((before.Hits + 1, before.Misses), (h.Indexer.HandOff.Hits, h.Indexer.HandOff.Misses));
        Assert.Equal(0, h.Indexer.HandOff.Chars);
        Assert.Equal(code + "/1", Assert.Single((await h.SearchAsync("Khoa học Công nghệ")).Hits).Document.Id);
    }

    [Fact]
    public async Task A_refused_change_leaves_its_text_behind_but_the_index_only_ever_holds_what_storage_holds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.TRAO"), ArchiveHarness.User, ct)).Stored.Value.FileCode;

        // Extracted and offered, then refused (the document breaks a rule): its text stays in the hand-off, for the
        // same document ordinal and file name the next document gets.
        var refused = Filing("02", "Quyết định khen thưởng tập thể lao động xuất sắc") with { Document = ArchiveHarness.DocInput("02") with { IssuedDate = new DateOnly(2999, 1, 1) } };
        await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Files.AddDocumentAsync(code, refused, null, ArchiveHarness.User, ct));
        Assert.True(h.Indexer.HandOff.Chars > 0);

        var stored = (await h.Files.AddDocumentAsync(code, Filing("02", "Tờ trình về việc sáp nhập Sở Khoa học và Công nghệ"), null, ArchiveHarness.User, ct)).Stored;
        Assert.Equal(ProjectionState.Searchable, (await h.Files.WaitSearchableAsync(code, stored.Version, Long, ct)).State);
        Assert.Empty((await h.SearchAsync("khen thưởng tập thể")).Hits);
        Assert.Equal(code + "/1", Assert.Single((await h.SearchAsync("Khoa học Công nghệ")).Hits).Document.Id);

        // A restarted engine has nothing handed off: a change that projects the whole record file reads the text from
        // storage, with the same result.
        await h.ReopenAsync();
        var renamed = (await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("02.TRAO") with { Title = "Hồ sơ sáp nhập" }, null, ArchiveHarness.User, ct)).Stored;
        Assert.Equal(ProjectionState.Searchable, (await h.Files.WaitSearchableAsync(code, renamed.Version, Long, ct)).State);
        Assert.Equal((0, 1), (h.Indexer.HandOff.Hits, h.Indexer.HandOff.Misses));
        Assert.Equal(code + "/1", Assert.Single((await h.SearchAsync("Khoa học Công nghệ")).Hits).Document.Id);
        Assert.Empty((await h.SearchAsync("khen thưởng tập thể")).Hits);
    }

    private static DocumentImport Filing(string number, string text) => new()
    {
        Document = ArchiveHarness.DocInput(number),
        Contents = [new ContentUpload { FileName = "van-ban.pdf", MediaType = "application/pdf", Content = new MemoryStream(TestPdf.Create(text)) }],
    };
}
