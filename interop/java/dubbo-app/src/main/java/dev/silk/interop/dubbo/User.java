package dev.silk.interop.dubbo;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A POJO with nested generics: a list of POJOs and a map of lists of longs. */
public class User implements Serializable {
    private long id;
    private String name;
    private int age;
    private Color favourite;
    private List<Address> addresses;
    private Map<String, List<Long>> scores;

    public User() {}

    public User(long id, String name, int age, Color favourite, List<Address> addresses, Map<String, List<Long>> scores) {
        this.id = id;
        this.name = name;
        this.age = age;
        this.favourite = favourite;
        this.addresses = addresses;
        this.scores = scores;
    }

    public long getId() { return id; }
    public String getName() { return name; }
    public int getAge() { return age; }
    public Color getFavourite() { return favourite; }
    public List<Address> getAddresses() { return addresses; }
    public Map<String, List<Long>> getScores() { return scores; }

    @Override
    public boolean equals(Object o) {
        return o instanceof User u && id == u.id && age == u.age && Objects.equals(name, u.name)
                && favourite == u.favourite && Objects.equals(addresses, u.addresses) && Objects.equals(scores, u.scores);
    }

    @Override
    public int hashCode() { return Objects.hash(id, name, age); }

    @Override
    public String toString() {
        return "User{" + id + "," + name + "," + age + "," + favourite + "," + addresses + "," + scores + "}";
    }
}
