using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace MiniBioBert.Training.Data;

/// <summary>How a tokenized corpus was obtained: the corpus, whether it came from the cache, the cache file and the time taken.</summary>
internal sealed record CorpusLoadResult(TokenizedCorpus Corpus, bool FromCache, string? CachePath, TimeSpan Elapsed)
{
    /// <summary>"Tokenized corpus: N documents, … (loaded from cache in 0.2 s)".</summary>
    public override string ToString() =>
        $"Tokenized corpus: {Corpus} ({(FromCache ? "loaded from cache" : "tokenized")} in {Elapsed.TotalSeconds:F1} s)";
}

/// <summary>
/// Stores a <see cref="TokenizedCorpus"/> in a binary file so that later runs skip tokenization.
/// Layout (little-endian): magic "MBBTOKC\0", int32 version, tokenizer fingerprint, source fingerprint
/// (length-prefixed UTF-8 strings), int32 document/sentence/token counts, 32-byte SHA-256 of the payload,
/// then the payload: int32[D+1] document sentence offsets, int32[S+1] sentence token offsets, int32[T] token ids,
/// D document ids. The cache is used only when both fingerprints match; a stale, truncated or corrupt file is
/// rebuilt (with a warning for the corrupt case) and rewritten atomically.
/// </summary>
internal static class TokenizedCorpusCache
{
    /// <summary>Bumped whenever the layout or the reading/splitting rules change, which invalidates old caches.</summary>
    public const int Version = 1;

    private static readonly byte[] Magic = "MBBTOKC\0"u8.ToArray();

    /// <summary>
    /// The tokenized corpus of <paramref name="sources"/>, from the cache in <paramref name="cacheDirectory"/> when it is
    /// still valid, else read, tokenized and cached. <paramref name="log"/> receives warnings and the final summary.
    /// A null <paramref name="cacheDirectory"/> disables caching.
    /// </summary>
    public static CorpusLoadResult LoadOrBuild(
        IReadOnlyList<CorpusSource> sources, CorpusTokenizer tokenizer, string? cacheDirectory, Action<string>? log = null)
    {
        if (sources.Count == 0)
        {
            throw new ArgumentException("No corpus file was given.", nameof(sources));
        }
        var stopwatch = Stopwatch.StartNew();
        var sourceFingerprint = CorpusFingerprint.Compute(sources);
        var cachePath = cacheDirectory is null ? null : Path.Combine(cacheDirectory, CacheFileName(sources, tokenizer.Fingerprint));
        if (cachePath is not null && File.Exists(cachePath))
        {
            try
            {
                if (TryRead(cachePath, tokenizer, sourceFingerprint) is { } cached)
                {
                    return Report(new CorpusLoadResult(cached, true, cachePath, stopwatch.Elapsed), log);
                }
                log?.Invoke($"The corpus cache {cachePath} is stale (the corpus, the vocabulary or the cache version changed); rebuilding it.");
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or FormatException or ArgumentException)
            {
                log?.Invoke($"warning: the corpus cache {cachePath} is unreadable ({e.Message}); rebuilding it.");
            }
        }
        var corpus = TokenizedCorpus.Build(CorpusReader.ReadDocuments(sources), tokenizer);
        if (corpus.DocumentCount == 0)
        {
            throw new InvalidDataException($"The corpus ({string.Join(", ", sources.Select(s => s.Path))}) has no document with any token.");
        }
        if (cachePath is not null)
        {
            TryWrite(cachePath, corpus, tokenizer.Fingerprint, sourceFingerprint, log);
        }
        return Report(new CorpusLoadResult(corpus, false, cachePath, stopwatch.Elapsed), log);
    }

    /// <summary>
    /// The cache file name for a list of sources and a tokenizer: a hash of their full paths and the tokenizer's
    /// fingerprint, so each corpus set has its own file per vocabulary (runs that alternate vocabularies, or run side
    /// by side with different ones, do not rewrite each other's cache).
    /// </summary>
    public static string CacheFileName(IReadOnlyList<CorpusSource> sources, string tokenizerFingerprint)
    {
        var key = string.Join("\n", sources.Select(s => $"{Path.GetFullPath(s.Path)}|{s.Format}")) + "\n" + tokenizerFingerprint;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();
        return $"{Path.GetFileName(sources[0].Path)}.{hash}.tokens";
    }

    /// <summary>The cached corpus, or null when the cache is stale (other version, tokenizer or sources).
    /// Throws <see cref="InvalidDataException"/> when the file is truncated or corrupt.</summary>
    internal static TokenizedCorpus? TryRead(string path, CorpusTokenizer tokenizer, string sourceFingerprint)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException("it does not start with the cache magic bytes");
        }
        if (reader.ReadInt32() != Version || reader.ReadString() != tokenizer.Fingerprint || reader.ReadString() != sourceFingerprint)
        {
            return null;
        }
        var documents = reader.ReadInt32();
        var sentences = reader.ReadInt32();
        var tokens = reader.ReadInt32();
        var expectedHash = reader.ReadBytes(32);
        var arrayBytes = 4L * ((long)documents + 1 + sentences + 1 + tokens);
        var payloadBytes = stream.Length - stream.Position;
        if (documents < 0 || sentences < 0 || tokens < 0 || payloadBytes < arrayBytes || payloadBytes > int.MaxValue)
        {
            throw new InvalidDataException($"it is truncated or its counts are wrong ({payloadBytes} payload bytes for {documents} documents, {sentences} sentences, {tokens} tokens)");
        }
        var payload = reader.ReadBytes((int)payloadBytes);
        if (payload.Length != payloadBytes || !SHA256.HashData(payload).AsSpan().SequenceEqual(expectedHash))
        {
            throw new InvalidDataException("its checksum does not match its content");
        }
        var offset = 0;
        var documentSentenceStarts = TakeInts(payload, ref offset, documents + 1);
        var sentenceStarts = TakeInts(payload, ref offset, sentences + 1);
        var tokenIds = TakeInts(payload, ref offset, tokens);
        using var idReader = new BinaryReader(new MemoryStream(payload, offset, payload.Length - offset), Encoding.UTF8);
        var documentIds = new string[documents];
        for (var i = 0; i < documents; i++)
        {
            documentIds[i] = idReader.ReadString();
        }
        return new TokenizedCorpus(tokenIds, sentenceStarts, documentSentenceStarts, documentIds, tokenizer.Specials.VocabSize);
    }

    internal static void Write(string path, TokenizedCorpus corpus, string tokenizerFingerprint, string sourceFingerprint)
    {
        using var payloadStream = new MemoryStream();
        using (var payloadWriter = new BinaryWriter(payloadStream, Encoding.UTF8, leaveOpen: true))
        {
            payloadWriter.Write(MemoryMarshal.AsBytes<int>(corpus.DocumentSentenceStartArray));
            payloadWriter.Write(MemoryMarshal.AsBytes<int>(corpus.SentenceStartArray));
            payloadWriter.Write(MemoryMarshal.AsBytes<int>(corpus.TokenIdArray));
            foreach (var id in corpus.DocumentIdArray)
            {
                payloadWriter.Write(id);
            }
        }
        var payload = payloadStream.GetBuffer().AsSpan(0, (int)payloadStream.Length);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        using (var writer = new BinaryWriter(File.Create(temporary), Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(tokenizerFingerprint);
            writer.Write(sourceFingerprint);
            writer.Write(corpus.DocumentCount);
            writer.Write(corpus.SentenceCount);
            writer.Write(corpus.TokenCount);
            writer.Write(SHA256.HashData(payload));
            writer.Write(payload);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static void TryWrite(string path, TokenizedCorpus corpus, string tokenizerFingerprint, string sourceFingerprint, Action<string>? log)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Write(path, corpus, tokenizerFingerprint, sourceFingerprint);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log?.Invoke($"warning: cannot write the corpus cache {path} ({e.Message}); continuing without it.");
        }
    }

    private static int[] TakeInts(byte[] payload, ref int offset, int count)
    {
        var ints = MemoryMarshal.Cast<byte, int>(payload.AsSpan(offset, 4 * count)).ToArray();
        offset += 4 * count;
        return ints;
    }

    private static CorpusLoadResult Report(CorpusLoadResult result, Action<string>? log)
    {
        log?.Invoke(result.ToString());
        return result;
    }
}
