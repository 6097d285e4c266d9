package io.edgepipe.testbed;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The private IPv4 subnet of the link: the edge end gets the first host address, the server
 * end the second ({@code 10.77.0.0/30} gives 10.77.0.1 and 10.77.0.2). The addresses exist only
 * inside the two namespaces; the host never routes to them.
 */
public record Subnet(long network, int prefixLength) {
  private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

  public Subnet {
    if (prefixLength < 8 || prefixLength > 30) {
      throw new IllegalArgumentException("subnet prefix length must be 8..30 (two host addresses), not /" + prefixLength);
    }
    long mask = mask(prefixLength);
    if ((network & ~mask) != 0) {
      throw new IllegalArgumentException("subnet " + dotted(network) + "/" + prefixLength
          + " has host bits set; did you mean " + dotted(network & mask) + "/" + prefixLength + "?");
    }
  }

  public static Subnet parse(String cidr) {
    Matcher m = CIDR.matcher(cidr.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("bad subnet '" + cidr + "': use e.g. 10.77.0.0/30");
    }
    long ip = 0;
    for (int i = 1; i <= 4; i++) {
      int octet = Integer.parseInt(m.group(i));
      if (octet > 255) {
        throw new IllegalArgumentException("bad subnet '" + cidr + "': octet " + octet + " > 255");
      }
      ip = ip << 8 | octet;
    }
    return new Subnet(ip, Integer.parseInt(m.group(5)));
  }

  public String address(Node node) {
    return dotted(network + (node == Node.EDGE ? 1 : 2));
  }

  /** The address with its prefix length, as {@code ip addr add} takes it. */
  public String cidr(Node node) {
    return address(node) + "/" + prefixLength;
  }

  @Override
  public String toString() {
    return dotted(network) + "/" + prefixLength;
  }

  private static long mask(int prefixLength) {
    return (0xFFFFFFFFL << (32 - prefixLength)) & 0xFFFFFFFFL;
  }

  private static String dotted(long ip) {
    return (ip >> 24 & 255) + "." + (ip >> 16 & 255) + "." + (ip >> 8 & 255) + "." + (ip & 255);
  }
}
