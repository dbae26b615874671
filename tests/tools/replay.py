#!/usr/bin/python3
"""Sends the frames of a plain pcap file out of an interface, as they are, paced so that a
capture on the other end of a veth pair keeps up: what tests/live_capture.sh floods a sensor
with. usage: replay.py IFACE FILE.pcap"""
import socket
import struct
import sys
import time

BURST = 500  # frames, then a pause


def frames(path):
    with open(path, "rb") as f:
        header = f.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            caplen = struct.unpack(endian + "I", record[8:12])[0]
            yield f.read(caplen)


def main():
    iface, path = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    sent = 0
    for frame in frames(path):
        sock.send(frame)
        sent += 1
        if sent % BURST == 0:
            time.sleep(0.002)
    print(sent)


if __name__ == "__main__":
    main()
