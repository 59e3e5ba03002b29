using Archive.Records;

namespace Archive.Indexing;

/// <summary>
/// Extracted texts handed from a write to the background projection, so that the projection of a change just
/// acknowledged need not read back and parse the text file the write stored a moment before. Keyed by the SHA-256 of
/// the exact bytes of the stored text file: the projection opens the file at the version it projects as before, and
/// uses a text from here only when the package's digest of that file is the key (the same bytes, which parse to the
/// same pages); on a miss it reads the file. Correctness therefore never depends on what is here — a crash, a restart,
/// another host's change, an evicted or never-offered text all fall back to storage. Bounded by the characters it
/// holds (<see cref="Hosting.ArchiveProjectionOptions.TextHandOffMegabytes"/>), oldest offered evicted first; a text is
/// taken once per offer.
/// </summary>
internal sealed class TextHandOff
{
    private readonly long _maxChars;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private readonly Lock _lock = new();
    private long _chars;
    private long _hits;
    private long _misses;

    public TextHandOff(long maxChars)
    {
        _maxChars = Math.Max(0, maxChars);
    }

    /// <summary>Texts taken from here instead of storage (for tests and the bench).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Texts the projection had to read from storage although the hand-off is on.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Whether texts are handed off at all (a cap above zero).</summary>
    public bool Enabled => _maxChars > 0;

    private sealed class Entry(IReadOnlyList<ExtractedPage> pages, long chars, LinkedListNode<string> node)
    {
        public IReadOnlyList<ExtractedPage> Pages { get; } = pages;

        public long Chars { get; } = chars;

        public LinkedListNode<string> Node { get; } = node;

        /// <summary>Offers not yet taken (the same text offered by several writes).</summary>
        public int Count { get; set; } = 1;
    }

    /// <summary>
    /// Offers the pages a write is about to store as a text file whose bytes have SHA-256 <paramref name="sha256"/>
    /// (lower-case hex). Pages whose strings are not well-formed UTF-16 are not offered (their JSON form replaces the
    /// broken characters, so what storage gives back differs); nor is a text larger than the whole cap.
    /// </summary>
    public void Offer(string sha256, IReadOnlyList<ExtractedPage> pages)
    {
        if (!Enabled)
        {
            return;
        }

        long chars = 0;
        foreach (var page in pages)
        {
            if (!WellFormed(page.Text) || (page.Label is { } label && !WellFormed(label)))
            {
                return;
            }

            chars += page.Text.Length + (page.Label?.Length ?? 0) + 16;
        }

        if (chars > _maxChars)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(sha256, out var existing))
            {
                existing.Count++;
                return;
            }

            while (_chars + chars > _maxChars && _order.First is { } oldest)
            {
                Remove(oldest.Value);
            }

            _entries[sha256] = new Entry([.. pages], chars, _order.AddLast(sha256));
            _chars += chars;
        }
    }

    /// <summary>Takes the pages offered for a text file with SHA-256 <paramref name="sha256"/>, or null (read it from storage).</summary>
    public IReadOnlyList<ExtractedPage>? Take(string? sha256)
    {
        if (!Enabled)
        {
            return null;
        }

        lock (_lock)
        {
            if (sha256 is not null && _entries.TryGetValue(sha256, out var entry))
            {
                if (--entry.Count == 0)
                {
                    Remove(sha256);
                }

                _hits++;
                return entry.Pages;
            }

            _misses++;
            return null;
        }
    }

    /// <summary>The characters held now.</summary>
    public long Chars
    {
        get
        {
            lock (_lock)
            {
                return _chars;
            }
        }
    }

    private void Remove(string sha256)
    {
        if (_entries.Remove(sha256, out var entry))
        {
            _order.Remove(entry.Node);
            _chars -= entry.Chars;
        }
    }

    private static bool WellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
